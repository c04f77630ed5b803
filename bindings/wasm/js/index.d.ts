// TypeScript declarations of the npm package `openlines` (the engine over WebAssembly).
//
// The shapes are the JSON of the engine's Rust types (config, inputs, actions, views).
// tests/types.test.js checks them against the Rust types' serde output (every field the
// engine writes is declared here, every field declared here is one the engine writes:
// tsc --strict over values the engine generates) and, when the repository has its JSON
// Schemas (schema/), against the TypeScript generated from them (the same field names
// everywhere; every value these types accept, the schemas accept).

/** An RFC 3339 / ISO 8601 time in UTC, e.g. "2026-11-23T09:00:00Z". */
export type Timestamp = string;
/** A time argument: a Date, an ISO string with an offset, or milliseconds since the epoch. */
export type At = Date | string | number;
/** Dialog ids are assigned by the engine: 1, 2, 3, ... in order of opening. */
export type DialogId = number;

// ------------------------------------------------------------------ config

export type PresenceStatus = 'online' | 'away' | 'break' | 'offline' | 'vacation' | 'dismissed';
export type Distribution = 'evenly' | 'strict' | 'all' | 'least_busy' | 'longest_idle';

export interface OperatorConfig {
  id: string;
  max_dialogs?: number;
  skills?: string[];
  languages?: string[];
  presence?: PresenceStatus;
}

export interface NoAnswerConfig {
  action?: 'requeue' | 'send_text' | 'send_form' | 'nothing';
  text?: string;
  form?: string;
  retry_after_secs?: number;
}

export interface QueueConfig {
  operators?: string[];
  distribution?: Distribution;
  forward_after_secs?: number;
  check_availability?: boolean;
  when_nobody_available?: 'wait' | 'assign_anyway';
  max_dialogs?: number;
  load_excludes?: Array<'answered' | 'closing'>;
  prefer_previous_operator?: boolean;
  no_answer?: NoAnswerConfig;
}

export interface CrmConfig {
  route_to_responsible?: boolean;
  responsible_checks_availability?: boolean;
  create_lead?: 'auto' | 'manual' | 'never';
  change_responsible_on_transfer?: boolean;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface ScheduleConfig {
  /** An IANA time zone, e.g. "Europe/Warsaw". */
  timezone?: string;
  /** Open intervals per weekday, e.g. {mon: [["09:00", "18:00"]]}. */
  weekly?: Partial<Record<Weekday, Array<[string, string]>>>;
  /** "DD.MM" every year, or one date "YYYY-MM-DD". */
  holidays?: string[];
  off_hours?: { action?: 'send_text' | 'send_form' | 'nothing'; text?: string; form?: string };
  hold_until_open?: boolean;
}

export type GreetingWhen = 'first_contact' | 'every_dialog' | 'never';

export interface LineConfig {
  id: string;
  active?: boolean;
  queue?: QueueConfig;
  crm?: CrmConfig;
  /** Absent or null: always open. */
  schedule?: ScheduleConfig | null;
  greeting?: { when?: GreetingWhen; text?: string };
  consent?: { text?: string };
  unanswered?: { after_secs?: number; text?: string };
  nobody_available_text?: string;
  queue_position?: { text?: string; repeat_secs?: number };
  auto_close?: { after_secs?: number; text?: string };
  closing?: { text?: string };
  rating?: {
    enabled?: boolean;
    text?: string;
    window_secs?: number;
    close_on_rating?: boolean;
    during_dialog?: boolean;
  };
  bot?: { id?: string; when?: GreetingWhen; handoff_after_secs?: number; handoff_keyword?: string };
  kpi?: {
    first_response_secs?: number;
    next_response_secs?: number;
    notify?: string[];
    text?: string;
    business_hours_only?: boolean;
  };
}

export interface Limits {
  max_id_len?: number;
  max_text_len?: number;
  max_operators?: number;
  max_lines?: number;
  max_open_dialogs?: number;
  max_skills?: number;
}

/** The engine's config: every field but the ids has a default. */
export interface Config {
  /** The JSON Schema an editor validates the file with (ignored by the engine). */
  $schema?: string;
  operators?: OperatorConfig[];
  lines?: LineConfig[];
  limits?: Limits;
  forget_clients_after_days?: number;
}

// ------------------------------------------------------------------ inputs

export interface CrmLookup {
  found?: boolean;
  responsible?: string;
}

export interface ClientMessageInput {
  type: 'client_message';
  line: string;
  client: string;
  text?: string;
  channel?: string;
  can_reply?: boolean;
  crm?: CrmLookup;
  priority?: number;
  language?: string;
  skills?: string[];
}
export interface OperatorMessageInput { type: 'operator_message'; dialog: DialogId; operator: string; hidden?: boolean }
export interface AcceptInput { type: 'accept'; dialog: DialogId; operator: string }
export interface SkipInput { type: 'skip'; dialog: DialogId; operator: string }
export interface TransferInput {
  type: 'transfer';
  dialog: DialogId;
  operator: string;
  to_operator?: string;
  to_line?: string;
}
export interface CloseInput { type: 'close'; dialog: DialogId; operator: string }
export interface PinInput { type: 'pin'; dialog: DialogId; operator: string; pinned?: boolean }
export interface RateInput { type: 'rate'; dialog: DialogId; score: number }
export interface PresenceInput { type: 'presence'; operator: string; status: PresenceStatus }
export interface BotHandoffInput { type: 'bot_handoff'; dialog: DialogId }
export interface BotResolvedInput { type: 'bot_resolved'; dialog: DialogId }
export interface SetLineInput { type: 'set_line'; line: LineConfig }
export interface SetOperatorInput { type: 'set_operator'; operator: OperatorConfig }
export interface ForgetClientInput { type: 'forget_client'; client: string }
export interface TickInput { type: 'tick' }

/** An input (contract section 3), discriminated by `type`. */
export type Input =
  | ClientMessageInput
  | OperatorMessageInput
  | AcceptInput
  | SkipInput
  | TransferInput
  | CloseInput
  | PinInput
  | RateInput
  | PresenceInput
  | BotHandoffInput
  | BotResolvedInput
  | SetLineInput
  | SetOperatorInput
  | ForgetClientInput
  | TickInput;

// ------------------------------------------------------------------ actions

export type MessageKind =
  | 'consent' | 'greeting' | 'off_hours' | 'nobody_available' | 'queue_position'
  | 'unanswered' | 'no_answer' | 'closing' | 'auto_close' | 'rating_request';
export type WithdrawReason = 'timeout' | 'skipped' | 'taken' | 'unavailable';
export type AssignReason = 'accepted' | 'crm_responsible' | 'previous_operator' | 'transfer' | 'assign_anyway';
export type QueueReason = 'nobody_available' | 'off_hours' | 'no_answer';
export type Kpi = 'first_response' | 'next_response';
export type BotStopReason = 'handoff' | 'keyword' | 'timeout' | 'resolved';
export type CloseReason = 'operator' | 'inactivity' | 'rated' | 'rating_window' | 'bot';

export interface DialogStats {
  first_response_secs: number | null;
  avg_response_secs: number | null;
  max_response_secs: number | null;
  client_messages: number;
  operator_messages: number;
  rating: number | null;
  unanswered: boolean;
}

export interface DialogOpenedAction { type: 'dialog_opened'; dialog: DialogId; line: string; client: string }
export interface SendMessageAction { type: 'send_message'; dialog: DialogId; kind: MessageKind; text: string }
export interface OfferAction { type: 'offer'; dialog: DialogId; operators: string[]; expires_at: Timestamp }
export interface OfferWithdrawnAction { type: 'offer_withdrawn'; dialog: DialogId; operator: string; reason: WithdrawReason }
export interface AssignedAction { type: 'assigned'; dialog: DialogId; operator: string; reason: AssignReason }
export interface QueuedAction { type: 'queued'; dialog: DialogId; reason: QueueReason }
export interface MarkUnansweredAction { type: 'mark_unanswered'; dialog: DialogId }
export interface KpiOverdueAction {
  type: 'kpi_overdue';
  dialog: DialogId;
  operator: string | null;
  kpi: Kpi;
  notify: string[];
  text: string;
}
export interface BotStartedAction { type: 'bot_started'; dialog: DialogId; bot: string }
export interface BotStoppedAction { type: 'bot_stopped'; dialog: DialogId; reason: BotStopReason }
export interface CreateLeadAction { type: 'create_lead'; dialog: DialogId; client: string; channel: string }
export interface SendFormAction { type: 'send_form'; dialog: DialogId; form: string }
export interface CrmResponsibleChangedAction { type: 'crm_responsible_changed'; dialog: DialogId; operator: string }
export interface DialogClosedAction { type: 'dialog_closed'; dialog: DialogId; reason: CloseReason; stats: DialogStats }

/** An action for the host to carry out (contract section 4), discriminated by `type`. */
export type Action =
  | DialogOpenedAction
  | SendMessageAction
  | OfferAction
  | OfferWithdrawnAction
  | AssignedAction
  | QueuedAction
  | MarkUnansweredAction
  | KpiOverdueAction
  | BotStartedAction
  | BotStoppedAction
  | CreateLeadAction
  | SendFormAction
  | CrmResponsibleChangedAction
  | DialogClosedAction;

// ------------------------------------------------------------------ views

export interface DialogView {
  dialog: DialogId;
  line: string;
  client: string;
  status: string;
  substatus: string | null;
  operator: string | null;
  offered_to: string[];
  offer_expires_at: Timestamp | null;
  tried: string[];
  priority: number;
  pinned: boolean;
  opened_at: Timestamp;
  stats: DialogStats;
}

export interface OperatorView {
  operator: string;
  presence: PresenceStatus;
  load: number;
  max_dialogs: number;
  line_load: Record<string, number>;
  dialogs: DialogId[];
  last_assigned_at: Timestamp | null;
}

export interface QueueEntry { dialog: DialogId; client: string; priority: number; reason: QueueReason; since: Timestamp }
export interface QueueView { line: string; waiting: QueueEntry[]; operators: string[] }

export interface LineStats {
  line: string;
  open: number;
  bot: number;
  queued: number;
  offered: number;
  assigned: number;
  closing: number;
  operator_load: Record<string, number>;
  closed: number;
  avg_first_response_secs: number | null;
  max_first_response_secs: number | null;
  ratings: number;
  avg_rating: number | null;
  unanswered_share: number | null;
}

export type Verdict =
  | 'chosen' | 'not_next_in_rotation' | 'unavailable' | 'dismissed' | 'at_capacity'
  | 'at_line_capacity' | 'skipped_this_cycle' | 'lacks_skill' | 'lacks_language' | 'not_considered';
export type Decision =
  | 'offer' | 'crm_responsible' | 'previous_operator' | 'assign_anyway'
  | 'nobody_available' | 'no_answer' | 'off_hours';

export interface ExplainView {
  dialog: DialogId;
  at: Timestamp;
  line: string;
  distribution: Distribution;
  decision: Decision;
  operators: Array<{ operator: string; verdict: Verdict }>;
}

// ------------------------------------------------------------------ errors and engine

export type ErrorKind =
  | 'invalid_config' | 'invalid_input' | 'unknown_line' | 'unknown_operator' | 'unknown_dialog'
  | 'not_allowed' | 'time_went_backwards' | 'snapshot_version' | 'internal';

export type IssueKind =
  | 'syntax' | 'unknown_field' | 'missing_field' | 'invalid_type' | 'invalid_value'
  | 'out_of_range' | 'duplicate' | 'unknown_reference';

/** One problem found, with its field path ("lines[0].queue.distribution") and its parts. */
export interface Issue {
  path: string;
  loc: Array<string | number>;
  kind: IssueKind;
  message: string;
}

export class OpenLinesError extends Error {
  readonly name: 'OpenLinesError';
  /** The contract's error kind. */
  readonly kind: ErrorKind;
  /** The actions of the timers that fired before the rejected input: carry them out. */
  readonly actions: Action[];
  readonly issues: Issue[];
  /** handleMany: the position of the rejected step. */
  index: number | undefined;
  /** handleMany with errors "raise": the action lists of the steps before it (applied). */
  results: Action[][] | undefined;
  /** Every problem found (every config problem, with its path). */
  errors(): Issue[];
}

/** A step of handleMany: [at, input] or {at, input}; no input (or null) is a clock tick. */
export type Step = readonly [At, (Input | null)?] | { at: At; input?: Input | null };

export class Engine {
  /** Throws OpenLinesError (kind "invalid_config") listing every problem. */
  constructor(config: Config | string);
  static restore(bytes: Uint8Array | ArrayBuffer): Engine;
  handle(at: At, input: Input): Action[];
  advance(at: At): Action[];
  handleMany(steps: Iterable<Step>, options?: { errors?: 'raise' }): Action[][];
  handleMany(steps: Iterable<Step>, options: { errors: 'return' }): Array<Action[] | OpenLinesError>;
  nextDeadline(): Date | null;
  now(): Date | null;
  snapshot(): Uint8Array;
  dialog(id: DialogId): DialogView | null;
  operator(id: string): OperatorView | null;
  queue(line: string): QueueView | null;
  stats(line: string): LineStats | null;
  explain(id: DialogId): ExplainView | null;
  openDialogs(): DialogId[];
  operatorIds(): string[];
  lineIds(): string[];
  free(): void;
  [Symbol.dispose](): void;
}

/** null when the config is valid, else the error listing every problem. */
export function checkConfig(config: Config | string): OpenLinesError | null;

export const version: string;
