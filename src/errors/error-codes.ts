/**
 * Every stable error code Weir reports, by area. Tests, REST clients and the operator branch
 * on these, so a code is never renamed; a new failure gets a new code here.
 */

/** Job code and plans: what the job's author can fix. */
export type JobErrorCode =
  | 'JOB_LOAD_FAILED'
  | 'NOT_A_JOB'
  | 'JOB_MAIN_FAILED'
  | 'EMPTY_JOB'
  | 'INVALID_PLAN'
  | 'DUPLICATE_UID'
  | 'INVALID_PARALLELISM'
  | 'INVALID_WINDOW'
  | 'PLAN_MISMATCH'
  | 'NOT_KEYED'
  | 'KEYED_STATE_ON_NON_KEYED_STREAM'
  | 'TIMERS_NEED_KEYED_STREAM'
  | 'STATE_KIND_MISMATCH'
  | 'STATE_NOT_MERGEABLE';

/** Records and user functions while a job runs. */
export type TaskErrorCode =
  | 'USER_FUNCTION_FAILED'
  | 'INVALID_KEY'
  | 'INVALID_TIMESTAMP'
  | 'INVALID_TIMER_TIME'
  | 'INVALID_SOURCE_POLL'
  | 'UNSERIALIZABLE_RECORD'
  | 'RESULT_NOT_TRANSFERABLE'
  | 'JOB_STALLED'
  | 'TASK_FAILED';

/** State backends, snapshots and restores. */
export type StateErrorCode = 'INVALID_STATE_BACKEND' | 'STATE_BACKEND_UNAVAILABLE' | 'STATE_NOT_PREFETCHED' | 'CORRUPT_STATE_SNAPSHOT' | 'STATE_RESTORE_MISMATCH' | 'UNSERIALIZABLE_STATE';

/** Checkpoints, savepoints and their storage. */
export type CheckpointErrorCode =
  | 'CORRUPT_CHECKPOINT'
  | 'CHECKPOINT_NOT_FOUND'
  | 'CHECKPOINT_STORAGE_FAILED'
  | 'CHECKPOINT_DECLINED'
  | 'CHECKPOINT_EXPIRED'
  | 'CHECKPOINT_FAILURES_EXCEEDED'
  | 'CHECKPOINTING_DISABLED'
  | 'STATE_NOT_RESTORED'
  | 'MAX_PARALLELISM_MISMATCH'
  | 'SINK_COMMIT_FAILED'
  | 'STORAGE_ACCESS_DENIED'
  | 'STORAGE_BUCKET_NOT_FOUND';

/** Data exchange between tasks. */
export type NetworkErrorCode =
  | 'CONNECTION_FAILED'
  | 'CONNECTION_LOST'
  | 'CORRUPT_FRAME'
  | 'PROTOCOL_VIOLATION'
  | 'DUPLICATE_CHANNEL'
  | 'CHANNEL_ENDED'
  | 'ENDPOINT_CLOSED'
  | 'NETWORK_LISTEN_FAILED';

/** JobManager, TaskManagers and the cluster between them. */
export type ClusterErrorCode =
  | 'JOB_NOT_FOUND'
  | 'JOB_NOT_CANCELLABLE'
  | 'ILLEGAL_JOB_STATUS_TRANSITION'
  | 'NO_RESOURCE_AVAILABLE'
  | 'NOT_ENOUGH_SLOTS'
  | 'TASK_MANAGER_LOST'
  | 'DEPLOYMENT_FAILED'
  | 'SLOT_START_FAILED'
  | 'SLOT_UNAVAILABLE'
  | 'SLOT_WORKER_DIED'
  | 'JOBMANAGER_UNREACHABLE'
  | 'JOBMANAGER_REFUSED'
  | 'TASKMANAGER_REGISTRATION_TIMEOUT'
  | 'REST_BIND_FAILED'
  | 'CLUSTER_START_FAILED';

/** Metrics registry and exposition. */
export type MetricsErrorCode = 'METRIC_LABELS_MISMATCH' | 'METRICS_PARSE_FAILED' | 'METRICS_SERVER_START_FAILED' | 'METRICS_SERVER_STARTED';

/** The Kubernetes operator and the API server it talks to. */
export type KubeErrorCode =
  | 'KUBE_CONFLICT'
  | 'KUBE_NOT_FOUND'
  | 'KUBE_API_ERROR'
  | 'KUBE_UNREACHABLE'
  | 'KUBE_CONFIG_INVALID'
  | 'INFORMER_STARTED'
  | 'INFORMER_STOPPED'
  | 'CONTROLLER_STOPPED'
  | 'LEADER_ELECTION_STARTED'
  | 'LEASE_API_ERROR'
  | 'LEASE_TIMEOUT'
  | 'HA_METADATA_INVALID'
  | 'HA_NOT_LEADER'
  | 'HA_WRITE_FAILED'
  | 'JOBMANAGER_ANSWER_INVALID';

/** The autoscaler: its inputs and the collectors that fill them. */
export type AutoscalerErrorCode = 'AUTOSCALER_INPUT_INVALID' | 'SOURCE_LAG_UNAVAILABLE' | 'VERTEX_METRICS_UNAVAILABLE';

/** Kafka connectors: the broker, topics, records and transactions. */
export type KafkaErrorCode =
  | 'KAFKA_UNREACHABLE'
  | 'KAFKA_REQUEST_FAILED'
  | 'KAFKA_TOPIC_NOT_FOUND'
  | 'KAFKA_DESERIALIZATION_FAILED'
  | 'KAFKA_INVALID_CONFIGURATION'
  | 'KAFKA_TRANSACTION_FAILED'
  | 'KAFKA_AUTHENTICATION_FAILED'
  | 'KAFKA_TLS_HANDSHAKE_FAILED';

/** Command line and configuration. */
export type ConfigErrorCode = 'INVALID_ARGUMENTS' | 'INVALID_CONFIGURATION';

export type ErrorCode =
  | JobErrorCode
  | TaskErrorCode
  | StateErrorCode
  | CheckpointErrorCode
  | NetworkErrorCode
  | ClusterErrorCode
  | MetricsErrorCode
  | KubeErrorCode
  | AutoscalerErrorCode
  | KafkaErrorCode
  | ConfigErrorCode
  /** A bug in Weir: never expected, always worth a report. */
  | 'INTERNAL';
