"""Windows event -> Sentinel row mapping (Event, SecurityEvent, WindowsEvent).

Owns: turning one Windows event, from an EVTX record (evtx crate JSON) or from a flat
nxlog/Logstash record (Security-Datasets / Mordor), into the row the Log Analytics agents
would have written:

* Sysmon -> `Event` by default (MMA shape: EventData is the `<DataItem ...><EventData ...>
  <Data Name="X">v</Data>...` XML string the ASIM Sysmon parser reads), or `WindowsEvent`
  (EventData dynamic) when asked; never both.
* Security channel -> `SecurityEvent` (EventData fields split into columns, plus Account,
  Activity, Process, SubjectAccount/TargetAccount as the connector derives them).
* every other channel -> `WindowsEvent` with EventData as a dynamic bag.

Time is System.TimeCreated (naive UTC). GUIDs are rendered `{lowercase}` as Windows does.
"""
from __future__ import annotations

from datetime import datetime, timezone

import orjson

from .schemas import COLUMN_TYPES

SYSMON_PROVIDER = "Microsoft-Windows-Sysmon"
SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"
EVENT_XMLNS = "http://schemas.microsoft.com/win/2004/08/events/event"
NULL_GUID = "00000000-0000-0000-0000-000000000000"

# Sysmon EventData field order per event ID (the order Sysmon's manifest writes them).
SYSMON_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "FileVersion", "Description",
        "Product", "Company", "OriginalFileName", "CommandLine", "CurrentDirectory", "User",
        "LogonGuid", "LogonId", "TerminalSessionId", "IntegrityLevel", "Hashes",
        "ParentProcessGuid", "ParentProcessId", "ParentImage", "ParentCommandLine", "ParentUser"),
    2: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
        "CreationUtcTime", "PreviousCreationUtcTime", "User"),
    3: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User", "Protocol", "Initiated",
        "SourceIsIpv6", "SourceIp", "SourceHostname", "SourcePort", "SourcePortName",
        "DestinationIsIpv6", "DestinationIp", "DestinationHostname", "DestinationPort",
        "DestinationPortName"),
    4: ("UtcTime", "State", "Version", "SchemaVersion"),
    5: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "User"),
    6: ("RuleName", "UtcTime", "ImageLoaded", "Hashes", "Signed", "Signature", "SignatureStatus"),
    7: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "ImageLoaded", "FileVersion",
        "Description", "Product", "Company", "OriginalFileName", "Hashes", "Signed", "Signature",
        "SignatureStatus", "User"),
    8: ("RuleName", "UtcTime", "SourceProcessGuid", "SourceProcessId", "SourceImage",
        "TargetProcessGuid", "TargetProcessId", "TargetImage", "NewThreadId", "StartAddress",
        "StartModule", "StartFunction", "SourceUser", "TargetUser"),
    9: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "Device", "User"),
    10: ("RuleName", "UtcTime", "SourceProcessGUID", "SourceProcessId", "SourceThreadId",
         "SourceImage", "TargetProcessGUID", "TargetProcessId", "TargetImage", "GrantedAccess",
         "CallTrace", "SourceUser", "TargetUser"),
    11: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
         "CreationUtcTime", "User"),
    12: ("RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
         "User"),
    13: ("RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
         "Details", "User"),
    14: ("RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetObject",
         "NewName", "User"),
    15: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "TargetFilename",
         "CreationUtcTime", "Hash", "Contents", "User"),
    16: ("UtcTime", "Configuration", "ConfigurationFileHash"),
    17: ("RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "PipeName", "Image", "User"),
    18: ("RuleName", "EventType", "UtcTime", "ProcessGuid", "ProcessId", "PipeName", "Image", "User"),
    19: ("RuleName", "EventType", "UtcTime", "Operation", "User", "EventNamespace", "Name", "Query"),
    20: ("RuleName", "EventType", "UtcTime", "Operation", "User", "Name", "Type", "Destination"),
    21: ("RuleName", "EventType", "UtcTime", "Operation", "User", "Consumer", "Filter"),
    22: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "QueryName", "QueryStatus",
         "QueryResults", "Image", "User"),
    23: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
         "Hashes", "IsExecutable", "Archived"),
    24: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "Session", "ClientInfo",
         "Hashes", "Archived", "User"),
    25: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "Type", "User"),
    26: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
         "Hashes", "IsExecutable"),
    27: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
         "Hashes"),
    28: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
         "Hashes"),
    29: ("RuleName", "UtcTime", "ProcessGuid", "ProcessId", "User", "Image", "TargetFilename",
         "Hashes"),
    255: ("UtcTime", "ID", "Description"),
}

# Security EventData field order for the process events (flat logs lose the order).
SECURITY_FIELDS: dict[int, tuple[str, ...]] = {
    4688: ("SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "NewProcessId",
           "NewProcessName", "TokenElevationType", "ProcessId", "CommandLine", "TargetUserSid",
           "TargetUserName", "TargetDomainName", "TargetLogonId", "ParentProcessName",
           "MandatoryLabel"),
    4689: ("SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "Status",
           "ProcessId", "ProcessName"),
}

# Keys that nxlog / Logstash / winlogbeat add around the event (not EventData fields).
FLAT_METADATA = frozenset(
    """EventID SourceName ProviderGuid ProviderName Channel Hostname host TimeCreated @timestamp
    @version EventTime EventReceivedTime Keywords SeverityValue Severity Level Task Opcode
    OpcodeValue RecordNumber ExecutionProcessID ThreadID UserID AccountName AccountType Domain
    Version Category Message SourceModuleName SourceModuleType EventType port tags
    ERROR_EVT_UNRESOLVED ActivityID RelatedActivityID Computer type log_name""".split()
)

SECURITY_ACTIVITY: dict[int, str] = {
    1102: "The audit log was cleared.",
    4608: "Windows is starting up.",
    4609: "Windows is shutting down.",
    4610: "An authentication package has been loaded by the Local Security Authority.",
    4611: "A trusted logon process has been registered with the Local Security Authority.",
    4616: "The system time was changed.",
    4624: "An account was successfully logged on.",
    4625: "An account failed to log on.",
    4634: "An account was logged off.",
    4647: "User initiated logoff.",
    4648: "A logon was attempted using explicit credentials.",
    4656: "A handle to an object was requested.",
    4657: "A registry value was modified.",
    4658: "The handle to an object was closed.",
    4660: "An object was deleted.",
    4661: "A handle to an object was requested.",
    4662: "An operation was performed on an object.",
    4663: "An attempt was made to access an object.",
    4664: "An attempt was made to create a hard link.",
    4670: "Permissions on an object were changed.",
    4672: "Special privileges assigned to new logon.",
    4673: "A privileged service was called.",
    4674: "An operation was attempted on a privileged object.",
    4688: "A new process has been created.",
    4689: "A process has exited.",
    4697: "A service was installed in the system.",
    4698: "A scheduled task was created.",
    4699: "A scheduled task was deleted.",
    4700: "A scheduled task was enabled.",
    4701: "A scheduled task was disabled.",
    4702: "A scheduled task was updated.",
    4719: "System audit policy was changed.",
    4720: "A user account was created.",
    4722: "A user account was enabled.",
    4723: "An attempt was made to change an account's password.",
    4724: "An attempt was made to reset an accounts password.",
    4725: "A user account was disabled.",
    4726: "A user account was deleted.",
    4728: "A member was added to a security-enabled global group.",
    4732: "A member was added to a security-enabled local group.",
    4738: "A user account was changed.",
    4740: "A user account was locked out.",
    4756: "A member was added to a security-enabled universal group.",
    4768: "A Kerberos authentication ticket (TGT) was requested.",
    4769: "A Kerberos service ticket was requested.",
    4771: "Kerberos pre-authentication failed.",
    4776: "The computer attempted to validate the credentials for an account.",
    4778: "A session was reconnected to a Window Station.",
    4779: "A session was disconnected from a Window Station.",
    4798: "A user's local group membership was enumerated.",
    4799: "A security-enabled local group membership was enumerated.",
    4964: "Special groups have been assigned to a new logon.",
    5140: "A network share object was accessed.",
    5145: "A network share object was checked to see whether client can be granted desired access.",
    5154: "The Windows Filtering Platform has permitted an application or service to listen on a port for incoming connections.",
    5156: "The Windows Filtering Platform has allowed a connection.",
    5158: "The Windows Filtering Platform has permitted a bind to a local port.",
}

WELL_KNOWN_SIDS = {
    "S-1-5-18": "NT AUTHORITY\\SYSTEM",
    "S-1-5-19": "NT AUTHORITY\\LOCAL SERVICE",
    "S-1-5-20": "NT AUTHORITY\\NETWORK SERVICE",
}

# Windows event Level -> (MMA Event.EventLevel, EventLevelName)
MMA_LEVEL = {0: (4, "Information"), 1: (1, "Error"), 2: (1, "Error"), 3: (2, "Warning"),
             4: (4, "Information"), 5: (4, "Information")}
AMA_LEVEL_NAME = {0: "Information", 1: "Critical", 2: "Error", 3: "Warning", 4: "Information",
                  5: "Verbose"}
NXLOG_SEVERITY = {"CRITICAL": 1, "ERROR": 2, "WARNING": 3, "INFO": 4, "DEBUG": 5}

_SE_TYPES = COLUMN_TYPES["SecurityEvent"]
# SecurityEvent columns that the connector fills itself (EventData must not overwrite them)
_SE_RESERVED = frozenset(
    """TenantId TimeGenerated SourceSystem Account AccountType Computer EventSourceName Channel Task
    Level EventData EventID Activity SourceComputerId EventOriginId MG TimeCollected
    ManagementGroupName SubjectAccount TargetAccount Process Type _ResourceId PartitionKey RowKey
    StorageAccount AzureDeploymentID AzureTableName""".split()
)
_SE_DATA_COLUMNS = {c: t for c, t in _SE_TYPES.items() if c not in _SE_RESERVED}
_HEX = frozenset("0123456789ABCDEF")


class WinEvent:
    """One Windows event, source-independent."""

    __slots__ = ("provider", "channel", "eid", "time", "time_text", "computer", "level", "task",
                 "opcode", "keywords", "record_id", "pid", "tid", "user_sid", "version",
                 "correlation", "data", "userdata_name", "message")

    def __init__(self):
        self.provider = ""
        self.channel = ""
        self.eid = 0
        self.time = None
        self.time_text = ""
        self.computer = ""
        self.level = None
        self.task = None
        self.opcode = None
        self.keywords = ""
        self.record_id = None
        self.pid = None
        self.tid = None
        self.user_sid = ""
        self.version = None
        self.correlation = ""
        self.data: list[tuple[str | None, str]] = []
        self.userdata_name = ""
        self.message = ""


# ---------------------------------------------------------------------------------------
# value rendering
def render(v) -> str:
    """Render an EventData value the way Windows' XML rendering writes it."""
    t = type(v)
    if t is str:
        if len(v) == 36 and v[8] == "-" and v[13] == "-" and v[23] == "-" and _is_upper_guid(v):
            return "{" + v.lower() + "}"
        return v
    if v is None:
        return ""
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return str(v)
    if t is dict:
        if "#text" in v:
            return render(v["#text"])
        return orjson.dumps(v).decode()
    if t is list:
        return "".join(render(x) for x in v)
    return str(v)


def _is_upper_guid(v: str) -> bool:
    for i, ch in enumerate(v):
        if i in (8, 13, 18, 23):
            if ch != "-":
                return False
        elif ch not in _HEX:
            return False
    return True


def xml_escape(s: str) -> str:
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def parse_time(s) -> datetime | None:
    """ISO-8601 / 'YYYY-MM-DD HH:MM:SS' text -> naive UTC datetime (None if unparseable)."""
    if s is None or s == "":
        return None
    if isinstance(s, datetime):
        return s.astimezone(timezone.utc).replace(tzinfo=None) if s.tzinfo else s
    if type(s) is not str:
        return None
    if s.endswith(" UTC"):
        s = s[:-4]
        if not s.endswith("Z"):
            s += "Z"
    try:
        if s[-1] == "Z":
            base = s[:-1]
            dot = base.find(".")
            if dot != -1 and len(base) - dot - 1 > 6:
                base = base[: dot + 7]
            return datetime.fromisoformat(base)
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def time_text7(dt: datetime) -> str:
    """Windows SystemTime text: 2020-09-21T23:35:37.1440000Z."""
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}.{dt.microsecond:06d}0Z"


def _int(v):
    if v is None or v == "":
        return None
    if type(v) is int:
        return v
    try:
        return int(v)
    except (TypeError, ValueError):
        try:
            return int(str(v), 0)
        except (TypeError, ValueError):
            return None


# ---------------------------------------------------------------------------------------
# sources -> WinEvent
def from_evtx(rec: dict, header_time: str | None = None) -> WinEvent:
    """evtx crate JSON ({"Event": {...}}) -> WinEvent. Raises ValueError when unusable."""
    ev_root = rec.get("Event") if type(rec) is dict else None
    if type(ev_root) is not dict:
        raise ValueError("record has no Event element")
    sysd = ev_root.get("System")
    if type(sysd) is not dict:
        raise ValueError("record has no Event.System element")
    e = WinEvent()
    prov = sysd.get("Provider")
    if type(prov) is dict:
        attrs = prov.get("#attributes") or {}
        e.provider = attrs.get("Name") or attrs.get("EventSourceName") or ""
    eid = sysd.get("EventID")
    if type(eid) is dict:
        eid = eid.get("#text")
    e.eid = _int(eid) or 0
    tc = sysd.get("TimeCreated")
    st = None
    if type(tc) is dict:
        st = (tc.get("#attributes") or {}).get("SystemTime")
    t = parse_time(st)
    if t is None or t.year < 1970:
        t2 = parse_time(header_time)
        if t2 is not None and t2.year >= 1970:
            t = t2
    if t is None:
        raise ValueError("no usable System.TimeCreated/SystemTime nor record header time")
    e.time = t
    e.computer = sysd.get("Computer") or ""
    e.channel = sysd.get("Channel") or ""
    e.level = _int(sysd.get("Level"))
    e.task = _int(sysd.get("Task"))
    e.opcode = _int(sysd.get("Opcode"))
    e.keywords = sysd.get("Keywords") or ""
    e.record_id = sysd.get("EventRecordID")
    e.version = _int(sysd.get("Version"))
    ex = sysd.get("Execution")
    if type(ex) is dict:
        a = ex.get("#attributes") or {}
        e.pid = _int(a.get("ProcessID"))
        e.tid = _int(a.get("ThreadID"))
    sec = sysd.get("Security")
    if type(sec) is dict:
        e.user_sid = (sec.get("#attributes") or {}).get("UserID") or ""
    cor = sysd.get("Correlation")
    if type(cor) is dict and cor.get("#attributes"):
        e.correlation = orjson.dumps(cor["#attributes"]).decode()
    data = []
    ed = ev_root.get("EventData")
    if type(ed) is dict:
        for k, v in ed.items():
            if k == "#attributes":
                continue
            if k == "Data":
                # unnamed <Data> elements
                if type(v) is dict and "#text" in v:
                    v = v["#text"]
                if type(v) is list:
                    data.extend((None, render(x)) for x in v)
                else:
                    data.append((None, render(v)))
            elif k == "Binary":
                continue
            else:
                data.append((k, render(v)))
    else:
        ud = ev_root.get("UserData")
        if type(ud) is dict:
            for name, inner in ud.items():
                e.userdata_name = name
                if type(inner) is dict:
                    for k, v in inner.items():
                        if k != "#attributes":
                            data.append((k, render(v)))
                break
    e.data = data
    return e


def from_flat(rec: dict) -> WinEvent:
    """Security-Datasets / Mordor flat nxlog/Logstash record -> WinEvent."""
    e = WinEvent()
    e.provider = rec.get("SourceName") or rec.get("ProviderName") or ""
    ch = rec.get("Channel") or ""
    if ch.lower() == "security":
        ch = "Security"
    e.channel = ch
    e.eid = _int(rec.get("EventID")) or 0
    t = parse_time(rec.get("TimeCreated")) or parse_time(rec.get("@timestamp")) or parse_time(
        rec.get("EventTime"))
    if t is None:
        raise ValueError("no usable TimeCreated/@timestamp/EventTime")
    e.time = t
    e.computer = rec.get("Hostname") or rec.get("Computer") or rec.get("host") or ""
    lvl = rec.get("Level")
    if lvl is None and rec.get("Severity") is not None:
        lvl = NXLOG_SEVERITY.get(str(rec.get("Severity")).upper())
    e.level = _int(lvl)
    e.task = _int(rec.get("Task"))
    e.opcode = _int(rec.get("OpcodeValue") if "OpcodeValue" in rec else rec.get("Opcode"))
    kw = rec.get("Keywords")
    if type(kw) is int:
        kw = hex(kw & 0xFFFFFFFFFFFFFFFF)
    e.keywords = kw or ""
    e.record_id = rec.get("RecordNumber")
    e.pid = _int(rec.get("ExecutionProcessID"))
    e.tid = _int(rec.get("ThreadID"))
    e.user_sid = rec.get("UserID") or ""
    e.message = rec.get("Message") or ""
    sysmon = e.provider == SYSMON_PROVIDER or e.channel == SYSMON_CHANNEL
    data = []
    order = None
    if sysmon:
        e.version = _int(rec.get("Version")) if e.eid != 4 else None
        order = SYSMON_FIELDS.get(e.eid)
    else:
        e.version = _int(rec.get("Version"))
        if ch == "Security":
            order = SECURITY_FIELDS.get(e.eid)
    if True:
        if order:
            seen = set(order)
            data = [(k, _flat_value(rec[k])) for k in order if k in rec]
            data.extend((k, _flat_value(v)) for k, v in rec.items()
                        if k not in seen and k not in FLAT_METADATA)
            e.data = data
            return e
    e.data = [(k, _flat_value(v)) for k, v in rec.items() if k not in FLAT_METADATA]
    return e


def _flat_value(v) -> str:
    t = type(v)
    if t is str:
        return v
    if v is None:
        return ""
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return str(v)
    return orjson.dumps(v).decode()


# ---------------------------------------------------------------------------------------
# WinEvent -> (table, row)
def is_sysmon(e: WinEvent) -> bool:
    return e.provider == SYSMON_PROVIDER or e.channel == SYSMON_CHANNEL


def to_row(e: WinEvent, sysmon_table: str = "Event") -> tuple[str, dict]:
    if e.channel == "Security":
        return "SecurityEvent", security_event_row(e)
    if is_sysmon(e) and sysmon_table == "Event":
        return "Event", event_row(e)
    return "WindowsEvent", windows_event_row(e)


def _user_name(sid: str) -> str:
    if not sid:
        return "N/A"
    return WELL_KNOWN_SIDS.get(sid, sid)


def event_row(e: WinEvent) -> dict:
    parts = []
    params = []
    for k, v in e.data:
        ev = xml_escape(v)
        params.append(ev)
        if k is None:
            parts.append(f"<Data>{ev}</Data>")
        else:
            parts.append(f'<Data Name="{k}">{ev}</Data>')
    body = "".join(parts)
    event_data = (
        f'<DataItem type="System.XmlData" time="{time_text7(e.time)}" '
        f'sourceHealthServiceId="{NULL_GUID}"><EventData xmlns="{EVENT_XMLNS}">{body}</EventData></DataItem>'
    )
    lvl, lvl_name = MMA_LEVEL.get(e.level if e.level is not None else 4, (4, "Information"))
    return {
        "SourceSystem": "OpsManager",
        "TimeGenerated": e.time,
        "Source": e.provider,
        "EventLog": e.channel,
        "Computer": e.computer,
        "EventLevel": lvl,
        "EventLevelName": lvl_name,
        "ParameterXml": "".join(f"<Param>{p}</Param>" for p in params),
        "EventData": event_data,
        "EventID": e.eid,
        "RenderedDescription": e.message,
        "EventCategory": e.task,
        "UserName": _user_name(e.user_sid),
        "Type": "Event",
    }


def windows_event_row(e: WinEvent) -> dict:
    if e.data and all(k is None for k, _ in e.data):
        ed = [v for _, v in e.data]
    else:
        ed = {}
        n = 0
        for k, v in e.data:
            if k is None:
                k = f"Data{n}"
                n += 1
            ed[k] = v
    lvl = e.level
    return {
        "SourceSystem": "OpsManager",
        "TimeGenerated": e.time,
        "Provider": e.provider,
        "Channel": e.channel,
        "Computer": e.computer,
        "Task": e.task,
        "EventLevel": lvl,
        "EventLevelName": AMA_LEVEL_NAME.get(lvl, "") if lvl is not None else "",
        "EventData": orjson.dumps(ed).decode() if e.data else None,
        "EventID": e.eid,
        "Keywords": e.keywords,
        "Opcode": "" if e.opcode is None else str(e.opcode),
        "EventRecordId": "" if e.record_id is None else str(e.record_id),
        "SystemProcessId": e.pid,
        "SystemThreadId": e.tid,
        "SystemUserId": e.user_sid,
        "Correlation": e.correlation,
        "Version": e.version,
        "Type": "WindowsEvent",
    }


def _account(domain: str, user: str) -> str:
    if not user:
        return ""
    return f"{domain}\\{user}" if domain else user


def _account_type(domain: str, user: str) -> str:
    if not user:
        return ""
    if user.endswith("$") or domain.upper() in ("NT AUTHORITY", "WINDOW MANAGER", "FONT DRIVER HOST"):
        return "Machine"
    return "User"


def security_event_row(e: WinEvent) -> dict:
    row: dict = {
        "SourceSystem": "OpsManager",
        "TimeGenerated": e.time,
        "Computer": e.computer,
        "EventSourceName": e.provider,
        "Channel": e.channel,
        "Task": e.task,
        "Level": "" if e.level is None else str(e.level),
        "EventID": e.eid,
        "Type": "SecurityEvent",
    }
    desc = SECURITY_ACTIVITY.get(e.eid)
    row["Activity"] = f"{e.eid} - {desc}" if desc else str(e.eid)
    cols = _SE_DATA_COLUMNS
    parts = []
    for k, v in e.data:
        if k is None:
            parts.append(f"\r\n  <Data>{xml_escape(v)}</Data>")
            continue
        if e.userdata_name:
            parts.append(f"<{k}>{xml_escape(v)}</{k}>")
        else:
            parts.append(f'\r\n  <Data Name="{k}">{xml_escape(v)}</Data>')
        t = cols.get(k)
        if t is not None:
            row[k] = _int(v) if t == "int" else v
    if e.userdata_name:
        row["EventData"] = (f'<UserData><{e.userdata_name} xmlns="{EVENT_XMLNS}">'
                            + "".join(parts) + f"</{e.userdata_name}></UserData>")
    elif parts:
        row["EventData"] = f'<EventData xmlns="{EVENT_XMLNS}">' + "".join(parts) + "\r\n</EventData>"
    su, sd = row.get("SubjectUserName", ""), row.get("SubjectDomainName", "")
    tu, td = row.get("TargetUserName", ""), row.get("TargetDomainName", "")
    if su:
        row["SubjectAccount"] = _account(sd, su)
    if tu:
        row["TargetAccount"] = _account(td, tu)
    if tu and tu != "-" and e.eid not in (4688, 4689):
        row["Account"] = _account(td, tu)
        row["AccountType"] = _account_type(td, tu)
    elif su:
        row["Account"] = _account(sd, su)
        row["AccountType"] = _account_type(sd, su)
    path = row.get("NewProcessName") or row.get("ProcessName") or ""
    if path:
        row["Process"] = path.rsplit("\\", 1)[-1]
    return row
