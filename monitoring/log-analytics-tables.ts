// The Log Analytics tables the monitoring queries read, with their documented columns. The tests
// declare these to Microsoft's Kusto language service, so a query naming a column that the table
// lacks fails. Column names and types are copied from the Azure Monitor table reference; a new
// column belongs here only when that page lists it.

/** One table: its name and its columns as `name:type` pairs in Kusto schema syntax. */
export interface LogAnalyticsTable {
  /** Table name, e.g. `Event`. */
  readonly name: string;
  /** Where the columns come from. */
  readonly source: string;
  /** Column name → Kusto scalar type. */
  readonly columns: Readonly<Record<string, string>>;
}

/** Standard columns every Log Analytics table has (https://learn.microsoft.com/azure/azure-monitor/logs/log-standard-columns). */
const STANDARD_COLUMNS = {
  TenantId: "string",
  Type: "string",
  _ResourceId: "string",
  _SubscriptionId: "string",
  _BilledSize: "real",
  _IsBillable: "string",
} as const;

/** `Event`: Windows event log records collected by the Azure Monitor Agent. */
export const EVENT_TABLE: LogAnalyticsTable = {
  name: "Event",
  source: "https://learn.microsoft.com/azure/azure-monitor/reference/tables/event",
  columns: {
    ...STANDARD_COLUMNS,
    AzureDeploymentID: "string",
    Computer: "string",
    EventCategory: "int",
    EventData: "string",
    EventID: "int",
    EventLevel: "int",
    EventLevelName: "string",
    EventLog: "string",
    ManagementGroupName: "string",
    Message: "string",
    ParameterXml: "string",
    RenderedDescription: "string",
    Role: "string",
    Source: "string",
    SourceSystem: "string",
    TimeGenerated: "datetime",
    UserName: "string",
  },
};

/** `Heartbeat`: one record a minute from each agent. */
export const HEARTBEAT_TABLE: LogAnalyticsTable = {
  name: "Heartbeat",
  source: "https://learn.microsoft.com/azure/azure-monitor/reference/tables/heartbeat",
  columns: {
    ...STANDARD_COLUMNS,
    Category: "string",
    Computer: "string",
    ComputerEnvironment: "string",
    ComputerIP: "string",
    ComputerPrivateIPs: "dynamic",
    IsGatewayInstalled: "bool",
    ManagementGroupName: "string",
    OSMajorVersion: "string",
    OSMinorVersion: "string",
    OSName: "string",
    OSType: "string",
    RemoteIPCountry: "string",
    RemoteIPLatitude: "real",
    RemoteIPLongitude: "real",
    Resource: "string",
    ResourceGroup: "string",
    ResourceId: "string",
    ResourceProvider: "string",
    ResourceType: "string",
    SCAgentChannel: "string",
    Solutions: "string",
    SourceSystem: "string",
    SubscriptionId: "string",
    TimeGenerated: "datetime",
    Version: "string",
    VMUUID: "string",
  },
};

/**
 * `AZKVAuditLogs`: a Key Vault's AuditEvent log when its diagnostic setting writes resource-specific
 * tables (log_analytics_destination_type "Dedicated"); the columns the alert reads and their
 * neighbours, as the table reference lists them.
 */
export const AZKV_AUDIT_LOGS_TABLE: LogAnalyticsTable = {
  name: "AZKVAuditLogs",
  source: "https://learn.microsoft.com/azure/azure-monitor/reference/tables/azkvauditlogs",
  columns: {
    ...STANDARD_COLUMNS,
    AddressAuthorizationType: "string",
    CallerIpAddress: "string",
    ClientInfo: "string",
    CorrelationId: "string",
    DurationMs: "int",
    HttpStatusCode: "int",
    Id: "string",
    Identity: "dynamic",
    IsAddressAuthorized: "bool",
    IsRbacAuthorized: "bool",
    OperationName: "string",
    OperationVersion: "string",
    Properties: "dynamic",
    RequestUri: "string",
    ResultDescription: "string",
    ResultSignature: "string",
    ResultType: "string",
    SecretProperties: "dynamic",
    SourceSystem: "string",
    SubnetId: "string",
    TimeGenerated: "datetime",
    TrustedService: "string",
  },
};

/** Every table the queries may read. */
export const MONITORING_TABLES: readonly LogAnalyticsTable[] = [EVENT_TABLE, HEARTBEAT_TABLE, AZKV_AUDIT_LOGS_TABLE];
