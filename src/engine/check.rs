//! Checking an input before anything changes: ids resolved, permission verified.

use super::*;

/// An input after `check`: ids resolved, permission verified.
pub(super) enum Checked {
    ClientMessage(
        Box<ClientMessage>,
        LineIdx,
        Option<ClientHandle>,
        Option<DialogId>,
    ),
    Reply(DialogId, OperatorIdx),
    Note,
    Accept(DialogId, OperatorIdx),
    Skip(DialogId, OperatorIdx),
    TransferToOperator(DialogId, OperatorIdx),
    TransferToLine(DialogId, OperatorIdx, LineIdx),
    Close(DialogId),
    Pin(DialogId, bool),
    Rate(DialogId, u8),
    Presence(OperatorIdx, PresenceStatus),
    BotHandoff(DialogId),
    BotResolved(DialogId),
    SetLine(Box<LineConfig>, Option<LineIdx>),
    SetOperator(OperatorConfig, Option<OperatorIdx>),
    ForgetClient(String),
    Tick,
}

impl Engine {
    pub(super) fn check_time(&self, at: DateTime<Utc>) -> Result<(), Error> {
        if !crate::timestamp::accepted(at) {
            return Err(Error::invalid_input(format!(
                "at: {} is out of range: input times run from {} to {} (so that every \
                 deadline stays a time every binding can represent)",
                at.to_rfc3339(),
                crate::timestamp::FIRST_TIME.to_rfc3339(),
                crate::timestamp::LAST_TIME.to_rfc3339()
            )));
        }
        match self.s.now {
            Some(now) if at < now => Err(Error::new(
                ErrorKind::TimeWentBackwards,
                format!(
                    "input time {} is before the engine's current time {}",
                    at.to_rfc3339(),
                    now.to_rfc3339()
                ),
            )),
            _ => Ok(()),
        }
    }

    pub(super) fn lookup_operator(&self, id: &str) -> Result<OperatorIdx, Error> {
        self.operator_index.get(id).copied().ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownOperator,
                format!("unknown operator \"{id}\""),
            )
        })
    }

    pub(super) fn lookup_line(&self, id: &str) -> Result<LineIdx, Error> {
        self.line_index
            .get(id)
            .copied()
            .ok_or_else(|| Error::new(ErrorKind::UnknownLine, format!("unknown line \"{id}\"")))
    }

    pub(super) fn lookup_dialog(&self, id: DialogId) -> Result<&Dialog, Error> {
        match self.s.dialogs.get(&id) {
            Some(d) => Ok(d),
            None if id >= 1 && id < self.s.next_dialog => {
                Err(Error::not_allowed(format!("dialog {id} is closed")))
            }
            None => Err(Error::new(
                ErrorKind::UnknownDialog,
                format!("unknown dialog {id}"),
            )),
        }
    }

    pub(super) fn check_id(&self, field: &str, value: &str) -> Result<(), Error> {
        if value.is_empty() {
            return Err(Error::invalid_input(format!("{field}: must not be empty")));
        }
        if value.len() > self.s.limits.max_id_len {
            return Err(Error::invalid_input(format!(
                "{field}: is {} bytes long; the limit is {} (limits.max_id_len)",
                value.len(),
                self.s.limits.max_id_len
            )));
        }
        Ok(())
    }

    /// The dialog's state described for error messages.
    pub(super) fn describe(&self, d: &Dialog) -> String {
        match &d.state {
            DialogState::Offered { operators, .. } => {
                let ids: Vec<&str> = operators.iter().map(|&op| self.operator_id(op)).collect();
                format!("dialog {} is offered to {}", d.id, ids.join(", "))
            }
            DialogState::Assigned { operator, .. } => {
                format!(
                    "dialog {} is assigned to {}",
                    d.id,
                    self.operator_id(*operator)
                )
            }
            DialogState::Closing { operator } => {
                format!(
                    "dialog {} is closing (rating window of {})",
                    d.id,
                    self.operator_id(*operator)
                )
            }
            other => format!("dialog {} is {}", d.id, other.name()),
        }
    }

    /// The dialog must be assigned to `op`.
    pub(super) fn owned_by(&self, d: &Dialog, op: OperatorIdx, verb: &str) -> Result<(), Error> {
        match d.state {
            DialogState::Assigned { operator, .. } if operator == op => Ok(()),
            _ => Err(Error::not_allowed(format!(
                "{} cannot {verb}: {}",
                self.operator_id(op),
                self.describe(d)
            ))),
        }
    }

    pub(super) fn offered_to(d: &Dialog, op: OperatorIdx) -> bool {
        matches!(&d.state, DialogState::Offered { operators, .. } if operators.contains(&op))
    }

    /// Check an input against the current state: ids resolved, permission verified,
    /// one function per input kind.
    ///
    /// On success the parts of `input` the plan carries (a client message, a config)
    /// are moved into it, not copied; on an error `input` is left as it was.
    pub(super) fn check(&self, input: &mut Input) -> Result<Checked, Error> {
        match input {
            Input::Tick => Ok(Checked::Tick),
            Input::ClientMessage(m) => self.check_client_message(m),
            Input::OperatorMessage {
                dialog,
                operator,
                hidden,
            } => self.check_operator_message(*dialog, operator, *hidden),
            Input::Accept { dialog, operator } => self.check_accept(*dialog, operator),
            Input::Skip { dialog, operator } => self.check_skip(*dialog, operator),
            Input::Transfer {
                dialog,
                operator,
                to_operator,
                to_line,
            } => self.check_transfer(
                *dialog,
                operator,
                to_operator.as_deref(),
                to_line.as_deref(),
            ),
            Input::Close { dialog, operator } => {
                let (d, op) = self.dialog_and_operator(*dialog, operator)?;
                self.owned_by(d, op, "close it")?;
                Ok(Checked::Close(d.id))
            }
            Input::Pin {
                dialog,
                operator,
                pinned,
            } => {
                let (d, op) = self.dialog_and_operator(*dialog, operator)?;
                self.owned_by(d, op, "pin it")?;
                Ok(Checked::Pin(d.id, *pinned))
            }
            Input::Rate { dialog, score } => self.check_rate(*dialog, *score),
            Input::Presence { operator, status } => {
                Ok(Checked::Presence(self.lookup_operator(operator)?, *status))
            }
            Input::BotHandoff { dialog } => Ok(Checked::BotHandoff(self.with_the_bot(*dialog)?)),
            Input::BotResolved { dialog } => Ok(Checked::BotResolved(self.with_the_bot(*dialog)?)),
            Input::SetLine { line } => self.check_set_line(line),
            Input::SetOperator { operator } => self.check_set_operator(operator),
            Input::ForgetClient { client } => self.check_forget_client(client),
        }
    }

    /// A client message: its sizes within the limits, its line known; a message that
    /// would open a dialog needs an active line, a dialog id and room under the limit.
    fn check_client_message(&self, m: &mut ClientMessage) -> Result<Checked, Error> {
        self.check_id("client", &m.client)?;
        let line = self.lookup_line(&m.line)?;
        if m.text.len() > self.s.limits.max_text_len {
            return Err(Error::invalid_input(format!(
                "text: is {} bytes long; the limit is {} (limits.max_text_len)",
                m.text.len(),
                self.s.limits.max_text_len
            )));
        }
        if m.channel.len() > self.s.limits.max_id_len || m.language.len() > self.s.limits.max_id_len
        {
            return Err(Error::invalid_input(format!(
                "channel/language: longer than {} bytes (limits.max_id_len)",
                self.s.limits.max_id_len
            )));
        }
        if m.skills.len() > self.s.limits.max_skills {
            return Err(Error::invalid_input(format!(
                "skills: {} skills; the limit is {} (limits.max_skills)",
                m.skills.len(),
                self.s.limits.max_skills
            )));
        }
        for (i, skill) in m.skills.iter().enumerate() {
            self.check_id(&format!("skills[{i}]"), skill)?;
        }
        if let Some(r) = m.crm.as_ref().and_then(|c| c.responsible.as_deref()) {
            self.check_id("crm.responsible", r)?;
        }
        let client = self.s.clients.lookup(&m.client);
        let open = client
            .and_then(|c| self.s.clients.line(c, line))
            .and_then(|c| c.open);
        if open.is_none() {
            self.check_room_for_a_dialog(&m.line, line)?;
        }
        Ok(Checked::ClientMessage(
            Box::new(std::mem::take(m)),
            line,
            client,
            open,
        ))
    }

    /// Whether a new dialog may open in `line` (named `line_id` by the input).
    fn check_room_for_a_dialog(&self, line_id: &str, line: LineIdx) -> Result<(), Error> {
        if !self.line(line).config.active {
            return Err(Error::not_allowed(format!(
                "line \"{line_id}\" is not active: it takes no new dialogs"
            )));
        }
        if self.s.next_dialog > crate::MAX_DIALOG_ID {
            return Err(Error::not_allowed(format!(
                "dialog ids are used up: the next one would pass {} (MAX_DIALOG_ID)",
                crate::MAX_DIALOG_ID
            )));
        }
        if self.s.dialogs.len() >= self.s.limits.max_open_dialogs {
            return Err(Error::not_allowed(format!(
                "the engine holds {} open dialogs, the limit (limits.max_open_dialogs)",
                self.s.dialogs.len()
            )));
        }
        Ok(())
    }

    /// The open dialog and the operator an input names (in that order of checks).
    fn dialog_and_operator(
        &self,
        dialog: DialogId,
        operator: &str,
    ) -> Result<(&Dialog, OperatorIdx), Error> {
        let d = self.lookup_dialog(dialog)?;
        Ok((d, self.lookup_operator(operator)?))
    }

    /// An operator's message: a hidden note changes nothing; a reply needs the dialog
    /// offered to or owned by the operator.
    fn check_operator_message(
        &self,
        dialog: DialogId,
        operator: &str,
        hidden: bool,
    ) -> Result<Checked, Error> {
        let (d, op) = self.dialog_and_operator(dialog, operator)?;
        if hidden {
            return Ok(Checked::Note);
        }
        if !Self::offered_to(d, op) {
            self.owned_by(d, op, "write in it")?;
        }
        Ok(Checked::Reply(d.id, op))
    }

    /// An accept needs the dialog offered to the operator.
    fn check_accept(&self, dialog: DialogId, operator: &str) -> Result<Checked, Error> {
        let (d, op) = self.dialog_and_operator(dialog, operator)?;
        if !Self::offered_to(d, op) {
            return Err(Error::not_allowed(format!(
                "{operator} cannot accept: {}",
                self.describe(d)
            )));
        }
        Ok(Checked::Accept(d.id, op))
    }

    /// A skip needs the dialog offered to or owned by the operator.
    fn check_skip(&self, dialog: DialogId, operator: &str) -> Result<Checked, Error> {
        let (d, op) = self.dialog_and_operator(dialog, operator)?;
        if !Self::offered_to(d, op) {
            self.owned_by(d, op, "skip it")?;
        }
        Ok(Checked::Skip(d.id, op))
    }

    /// A transfer needs the dialog owned by the operator and exactly one target: an
    /// operator who may take it, or an active line where the client has no other
    /// dialog open.
    fn check_transfer(
        &self,
        dialog: DialogId,
        operator: &str,
        to_operator: Option<&str>,
        to_line: Option<&str>,
    ) -> Result<Checked, Error> {
        let (d, op) = self.dialog_and_operator(dialog, operator)?;
        match (to_operator, to_line) {
            (Some(target), None) => {
                let target = self.lookup_operator(target)?;
                self.owned_by(d, op, "transfer it")?;
                if target == op {
                    return Err(Error::invalid_input(format!(
                        "to_operator: {operator} already has dialog {}",
                        d.id
                    )));
                }
                match self.transfer_verdict(target, d) {
                    Verdict::Chosen | Verdict::NotNextInRotation => {}
                    verdict => {
                        return Err(Error::not_allowed(format!(
                            "cannot transfer dialog {} to {}: {}",
                            d.id,
                            self.operator_id(target),
                            verdict_text(verdict)
                        )));
                    }
                }
                Ok(Checked::TransferToOperator(d.id, target))
            }
            (None, Some(line_id)) => {
                let line = self.lookup_line(line_id)?;
                self.owned_by(d, op, "transfer it")?;
                if !self.line(line).config.active {
                    return Err(Error::not_allowed(format!(
                        "line \"{line_id}\" is not active: it takes no dialogs"
                    )));
                }
                if line != d.line
                    && let Some(other) = self
                        .s
                        .clients
                        .line(*d.client_handle, line)
                        .and_then(|c| c.open)
                {
                    return Err(Error::not_allowed(format!(
                        "client {} already has dialog {other} open in line \"{line_id}\"",
                        d.client
                    )));
                }
                Ok(Checked::TransferToLine(d.id, op, line))
            }
            _ => Err(Error::invalid_input(
                "transfer: give exactly one of to_operator and to_line",
            )),
        }
    }

    /// A rating: a score of 1 to 5 for a closing dialog, or during the dialog when the
    /// line takes ratings then.
    fn check_rate(&self, dialog: DialogId, score: u8) -> Result<Checked, Error> {
        if !(1..=5).contains(&score) {
            return Err(Error::invalid_input(format!(
                "score: must be 1 to 5 (got {score})"
            )));
        }
        let d = self.lookup_dialog(dialog)?;
        let rating = &self.line(d.line).config.rating;
        let allowed = match d.state {
            DialogState::Closing { .. } => true,
            DialogState::Bot => false,
            _ => rating.enabled && rating.during_dialog,
        };
        if !allowed {
            return Err(Error::not_allowed(format!(
                "dialog {} cannot be rated now: {} and the line does not take ratings during a dialog",
                d.id,
                d.state.name()
            )));
        }
        Ok(Checked::Rate(d.id, score))
    }

    /// A bot handoff or resolution needs the dialog with the bot.
    fn with_the_bot(&self, dialog: DialogId) -> Result<DialogId, Error> {
        let d = self.lookup_dialog(dialog)?;
        if d.state != DialogState::Bot {
            return Err(Error::not_allowed(format!(
                "{}, not with the bot",
                self.describe(d)
            )));
        }
        Ok(d.id)
    }

    /// A line's config, validated as a whole (every problem with its path under
    /// `line`), within the limit on lines when it adds one.
    fn check_set_line(&self, line: &mut Box<LineConfig>) -> Result<Checked, Error> {
        let index = &self.operator_index;
        validate_line(line, &self.s.limits, &|id| index.contains_key(id))
            .map_err(|issues| input_issues(&issues))?;
        let existing = self.line_index.get(&line.id).copied();
        if existing.is_none() && self.s.lines.len() >= self.s.limits.max_lines {
            return Err(Error::invalid_input(format!(
                "line: the engine has {} lines, the limit (limits.max_lines)",
                self.s.lines.len()
            )));
        }
        Ok(Checked::SetLine(line.clone(), existing))
    }

    /// An operator's config, validated as a whole (every problem with its path under
    /// `operator`), within the limit on operators when it adds one.
    fn check_set_operator(&self, operator: &OperatorConfig) -> Result<Checked, Error> {
        validate_operator(operator, &self.s.limits).map_err(|issues| input_issues(&issues))?;
        let existing = self.operator_index.get(&operator.id).copied();
        if existing.is_none() && self.s.operators.len() >= self.s.limits.max_operators {
            return Err(Error::invalid_input(format!(
                "operator: the engine has {} operators, the limit (limits.max_operators)",
                self.s.operators.len()
            )));
        }
        Ok(Checked::SetOperator(operator.clone(), existing))
    }

    /// Forgetting a client needs no dialog of theirs open.
    fn check_forget_client(&self, client: &mut String) -> Result<Checked, Error> {
        self.check_id("client", client)?;
        if let Some(open) = self
            .s
            .clients
            .lookup(client)
            .and_then(|c| self.s.clients.records(c).iter().find_map(|c| c.open))
        {
            return Err(Error::not_allowed(format!(
                "client {client} has dialog {open} open; close it before forgetting the client"
            )));
        }
        Ok(Checked::ForgetClient(std::mem::take(client)))
    }

    /// Whether `target` may receive a manual transfer of `d` (availability when the line
    /// checks it, capacity always).
    pub(super) fn transfer_verdict(&self, target: OperatorIdx, d: &Dialog) -> Verdict {
        self.verdict(target, d.line, d, false)
    }
}

/// An `invalid_input` error for a config an input carries: every problem in the
/// message, and each with its path (`line.queue.operators[2]`) in [`Error::issues`].
fn input_issues(issues: &[ConfigIssue]) -> Error {
    let mut error = Error::invalid_input(
        issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    );
    error.issues = issues.to_vec();
    error
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Unavailable => "the operator is not online",
        Verdict::Dismissed => "the operator is dismissed",
        Verdict::AtCapacity => "the operator is at max_dialogs",
        Verdict::AtLineCapacity => "the operator is at the line's max_dialogs",
        Verdict::SkippedThisCycle => "the operator skipped it",
        Verdict::LacksSkill => "the operator lacks a required skill",
        Verdict::LacksLanguage => "the operator does not speak the client's language",
        Verdict::Chosen | Verdict::NotNextInRotation | Verdict::NotConsidered => "allowed",
    }
}
