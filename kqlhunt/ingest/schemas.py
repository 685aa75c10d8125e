"""Sentinel / Log Analytics table schemas, as data, and their DuckDB storage types.

Owns: the column list (name, KQL type) of every Sentinel table that kqlhunt ingests, in
Sentinel's column order, and the KQL-type -> DuckDB-type storage convention shared with the
engine and the hunt runner:

    string -> VARCHAR (never NULL: '' is stored), datetime -> TIMESTAMP (naive UTC, microseconds),
    int -> INTEGER, long -> BIGINT, real -> DOUBLE, bool -> BOOLEAN, dynamic -> JSON,
    guid -> UUID, timespan -> INTERVAL, decimal -> DOUBLE.

Sources: the column sets and types are those of the Azure Monitor table reference and of the
Azure-Sentinel KQL validation schemas; the order is the one `getschema` shows in a workspace
(TenantId first, Type and _ResourceId last), taken from real Sentinel exports where possible.
GUID-like columns that Sentinel documents as `string` stay `string`.

Use `SCHEMAS[table]` for the columns, `create_table_sql(table)` for a CREATE TABLE statement
with the right types and '' defaults for strings.
"""
from __future__ import annotations

KQL_TO_DUCKDB: dict[str, str] = {
    "string": "VARCHAR",
    "datetime": "TIMESTAMP",
    "int": "INTEGER",
    "long": "BIGINT",
    "real": "DOUBLE",
    "decimal": "DOUBLE",
    "bool": "BOOLEAN",
    "dynamic": "JSON",
    "guid": "UUID",
    "timespan": "INTERVAL",
}

DUCKDB_TO_KQL: dict[str, str] = {
    "VARCHAR": "string",
    "TIMESTAMP": "datetime",
    "INTEGER": "int",
    "BIGINT": "long",
    "DOUBLE": "real",
    "BOOLEAN": "bool",
    "JSON": "dynamic",
    "UUID": "guid",
    "INTERVAL": "timespan",
}


def _cols(spec: str) -> list[tuple[str, str]]:
    """Parse 'Name:type Name2 ...' (type defaults to string) into [(name, kql_type)]."""
    out = []
    for tok in spec.split():
        name, _, typ = tok.partition(":")
        out.append((name, typ or "string"))
    return out


# --- SecurityEvent ------------------------------------------------------------------------
_SECURITY_EVENT = _cols(
    """
TenantId TimeGenerated:datetime SourceSystem Account AccountType Computer EventSourceName Channel
Task:int Level EventData EventID:int Activity SourceComputerId EventOriginId MG TimeCollected:datetime
ManagementGroupName AccessList AccessMask AccessReason AccountDomain AccountExpires AccountName
AccountSessionIdentifier AdditionalInfo AdditionalInfo2 AllowedToDelegateTo Attributes
AuditPolicyChanges AuditsDiscarded:int AuthenticationLevel:int AuthenticationPackageName
AuthenticationProvider AuthenticationServer AuthenticationService:int AuthenticationType
CACertificateHash CalledStationID CallerProcessId CallerProcessName CallingStationID CAPublicKeyHash
CategoryId CertificateDatabaseHash ClassId ClassName ClientAddress ClientIPAddress ClientName
CommandLine CompatibleIds DCDNSName DeviceDescription DeviceId DisplayName Disposition
DomainBehaviorVersion DomainName DomainPolicyChanged DomainSid EAPType ElevatedToken ErrorCode:int
ExtendedQuarantineState FailureReason FileHash FilePath FilePathNoUser Filter ForceLogoff Fqbn
FullyQualifiedSubjectMachineName FullyQualifiedSubjectUserName GroupMembership HandleId HardwareIds
HomeDirectory HomePath ImpersonationLevel InterfaceUuid IpAddress IpPort KeyLength:int LmPackageName
LocationInformation LockoutDuration LockoutObservationWindow LockoutThreshold LoggingResult LogonGuid
LogonHours LogonID LogonProcessName LogonType:int LogonTypeName MachineAccountQuota MachineInventory
MachineLogon MandatoryLabel MaxPasswordAge MemberName MemberSid MinPasswordAge MinPasswordLength
MixedDomainMode NASIdentifier NASIPv4Address NASIPv6Address NASPort NASPortType NetworkPolicyName
NewDate NewMaxUsers NewProcessId NewProcessName NewRemark NewShareFlags NewTime NewUacValue NewValue
NewValueType ObjectName ObjectServer ObjectType ObjectValueName OemInformation OldMaxUsers OldRemark
OldShareFlags OldUacValue OldValue OldValueType OperationType PackageName ParentProcessName
PasswordHistoryLength PasswordLastSet PasswordProperties PreviousDate PreviousTime PrimaryGroupId
PrivateKeyUsageCount PrivilegeList Process ProcessId ProcessName Properties ProfilePath
ProtocolSequence ProxyPolicyName QuarantineHelpURL QuarantineSessionID QuarantineSessionIdentifier
QuarantineState QuarantineSystemHealthResult RelativeTargetName RemoteIpAddress RemotePort Requester
RequestId RestrictedAdminMode RowsDeleted SamAccountName ScriptPath SecurityDescriptor ServiceAccount
ServiceFileName ServiceName ServiceStartType:int ServiceType SessionName ShareLocalPath ShareName
SidHistory Status SubjectAccount SubcategoryGuid SubcategoryId Subject SubjectDomainName
SubjectKeyIdentifier SubjectLogonId SubjectMachineName SubjectMachineSID SubjectUserName
SubjectUserSid SubStatus TableId TargetAccount TargetDomainName TargetInfo TargetLinkedLogonId
TargetLogonGuid TargetLogonId TargetOutboundDomainName TargetOutboundUserName TargetServerName
TargetSid TargetUser TargetUserName TargetUserSid TemplateContent TemplateDSObjectFQDN
TemplateInternalName TemplateOID TemplateSchemaVersion TemplateVersion TokenElevationType
TransmittedServices UserAccountControl UserParameters UserPrincipalName UserWorkstations
VirtualAccount VendorIds Workstation WorkstationName PartitionKey RowKey StorageAccount
AzureDeploymentID AzureTableName Type _ResourceId
"""
)

# --- Event (MMA "Windows event logs": classic Sysmon collection) ---------------------------
_EVENT = _cols(
    """
TenantId SourceSystem TimeGenerated:datetime Source EventLog Computer EventLevel:int EventLevelName
ParameterXml EventData EventID:int RenderedDescription AzureDeploymentID Role EventCategory:int
UserName Message MG ManagementGroupName Type _ResourceId
"""
)

# --- WindowsEvent (AMA / WEF) -------------------------------------------------------------
_WINDOWS_EVENT = _cols(
    """
TenantId SourceSystem TimeGenerated:datetime Provider Channel Computer Task:int EventLevel:int
EventLevelName EventData:dynamic EventID:int EventOriginId ManagementGroupName Keywords Opcode
EventRecordId SystemProcessId:int SystemThreadId:int SystemUserId Correlation Version:int
RawEventData Type _ResourceId
"""
)

# --- Syslog -------------------------------------------------------------------------------
_SYSLOG = _cols(
    """
TenantId SourceSystem TimeGenerated:datetime Computer EventTime:datetime Facility HostName
SeverityLevel SyslogMessage ProcessID:int HostIP ProcessName MG CollectorHostName Type _ResourceId
"""
)

# --- DeviceProcessEvents (Microsoft Defender XDR, streamed to Sentinel) --------------------
_DEVICE_PROCESS_EVENTS = _cols(
    """
TenantId TimeGenerated:datetime Timestamp:datetime DeviceId DeviceName ActionType FileName FolderPath
SHA1 SHA256 MD5 FileSize:long ProcessVersionInfoCompanyName ProcessVersionInfoProductName
ProcessVersionInfoProductVersion ProcessVersionInfoInternalFileName
ProcessVersionInfoOriginalFileName ProcessVersionInfoFileDescription ProcessId:long
ProcessCommandLine ProcessIntegrityLevel ProcessTokenElevation ProcessCreationTime:datetime
AccountDomain AccountName AccountSid AccountUpn AccountObjectId LogonId:long
InitiatingProcessAccountDomain InitiatingProcessAccountName InitiatingProcessAccountSid
InitiatingProcessAccountUpn InitiatingProcessAccountObjectId InitiatingProcessLogonId:long
InitiatingProcessIntegrityLevel InitiatingProcessTokenElevation InitiatingProcessSHA1
InitiatingProcessSHA256 InitiatingProcessMD5 InitiatingProcessFileName
InitiatingProcessFileSize:long InitiatingProcessVersionInfoCompanyName
InitiatingProcessVersionInfoProductName InitiatingProcessVersionInfoProductVersion
InitiatingProcessVersionInfoInternalFileName InitiatingProcessVersionInfoOriginalFileName
InitiatingProcessVersionInfoFileDescription InitiatingProcessId:long InitiatingProcessCommandLine
InitiatingProcessCreationTime:datetime InitiatingProcessFolderPath InitiatingProcessParentId:long
InitiatingProcessParentFileName InitiatingProcessParentCreationTime:datetime
InitiatingProcessSignerType InitiatingProcessSignatureStatus ReportId:long AppGuardContainerId
AdditionalFields:dynamic MachineGroup SourceSystem Type
"""
)

# --- VMConnection (VM insights; appears in the Log4Shell exports) ---------------------------
_VM_CONNECTION = _cols(
    """
TenantId SourceSystem TimeGenerated:datetime Computer AgentId Machine Process ProcessName SourceIp
DestinationIp DestinationPort:int Protocol Direction ConnectionId RemoteIp RemoteCountry
RemoteLatitude:real RemoteLongitude:real RemoteClassification MaliciousIp IndicatorThreatType
Description TLPLevel Confidence:int Severity:int FirstReportedDateTime LastReportedDateTime
IsActive ReportReferenceLink AdditionalInformation LinksEstablished:long LinksTerminated:long
LinksFailed:long LinksLive:long BytesSent:long BytesReceived:long Responses:long
ResponseTimeMax:long ResponseTimeMin:long ResponseTimeSum:long Type _ResourceId
"""
)

SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "SecurityEvent": _SECURITY_EVENT,
    "Event": _EVENT,
    "WindowsEvent": _WINDOWS_EVENT,
    "Syslog": _SYSLOG,
    "DeviceProcessEvents": _DEVICE_PROCESS_EVENTS,
    "VMConnection": _VM_CONNECTION,
}

# name lookups, case-insensitive as DuckDB's identifiers are
COLUMN_TYPES: dict[str, dict[str, str]] = {t: dict(cols) for t, cols in SCHEMAS.items()}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_sql(name: str, kql_type: str) -> str:
    duck = KQL_TO_DUCKDB[kql_type]
    default = " DEFAULT ''" if duck == "VARCHAR" else ""
    return f"{quote_ident(name)} {duck}{default}"


def create_table_sql(table: str, columns: list[tuple[str, str]] | None = None) -> str:
    """CREATE TABLE IF NOT EXISTS for a Sentinel table (or for `columns` if given)."""
    cols = columns if columns is not None else SCHEMAS[table]
    body = ", ".join(column_sql(n, t) for n, t in cols)
    return f"CREATE TABLE IF NOT EXISTS {quote_ident(table)} ({body})"


def duckdb_type(kql_type: str) -> str:
    return KQL_TO_DUCKDB[kql_type]
