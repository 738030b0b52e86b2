# One long-lived PowerShell for a whole jest run (test/support/powershell.ts explains the why).
#
# Server mode: listens on 127.0.0.1, on a port the system picks, writes that port to -PortFile (to a
# temporary name first, then renamed, so a reader never sees half a number) and serves one
# connection at a time. A connection carries one request, a JSON object on one line:
#   {"file": "<path.ps1>", "args": ["a", "b"], "cwd": "<dir>"}   like pwsh -File <path.ps1> a b
#   {"command": "<script text>", "cwd": "<dir>"}                 like pwsh -Command <script text>
# and gets back one reply, a JSON object on one line (pure ASCII):
#   {"ok": true|false, "stdout": "...", "errors": ["..."], "hadErrors": true|false}
# Every request runs in a runspace of its own, opened for it and closed after it, so what one
# request defines (dot-sourced functions, variables, preferences, location) is gone for the next.
# stdout is the output stream formatted by Out-String, as pwsh would print it, including what came
# before a terminating error; errors are the records of the error stream. A terminating error (a
# throw, or an error under $ErrorActionPreference = 'Stop') makes ok false and is the last of the
# errors. The server exits by itself when the process -ParentPid is gone (checked every second, also
# while a request runs) or after -IdleSeconds without a request, so a crashed jest leaves no pwsh
# behind; it removes -PortFile on the way out.
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PortFile,
    [Parameter(Mandatory)] [int] $ParentPid,
    [int] $IdleSeconds = 600
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Format-ErrorRecord([System.Management.Automation.ErrorRecord] $Record) {
    $text = $Record.ToString()
    if ($Record.InvocationInfo -and $Record.InvocationInfo.PositionMessage) { $text += "`n" + $Record.InvocationInfo.PositionMessage }
    $text
}

# A runspace as pwsh's own (InitialSessionState.CreateDefault2: core commands, the rest autoloaded).
function New-RequestRunspace {
    $runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
    $runspace.Open()
    $runspace
}

# Runs one request (its JSON text) in $Runspace, which it disposes of, and returns the reply's JSON.
# $KeepWaiting is asked every second while the request runs; when it says no, the run is stopped.
function Invoke-Request([string] $Line, [System.Management.Automation.Runspaces.Runspace] $Runspace, [scriptblock] $KeepWaiting) {
    $reply = [ordered]@{ ok = $false; stdout = ''; errors = @(); hadErrors = $false }
    $ps = $null
    $document = $null
    try {
        # System.Text.Json rather than ConvertFrom-Json, which turns date-like strings into dates.
        $file = $null; $command = $null; $cwd = $null; $arguments = @()
        $document = [System.Text.Json.JsonDocument]::Parse($Line)
        if ($document.RootElement.ValueKind -ne 'Object') { throw 'a request is a JSON object' }
        foreach ($property in $document.RootElement.EnumerateObject()) {
            switch ($property.Name) {
                'file' { $file = $property.Value.GetString() }
                'command' { $command = $property.Value.GetString() }
                'cwd' { $cwd = $property.Value.GetString() }
                'args' { $arguments = @($property.Value.EnumerateArray() | ForEach-Object { $_.GetString() }) }
                default { throw "unknown request field '$($property.Name)'" }
            }
        }
        if ([bool]$file -eq [bool]$command) { throw 'a request has either "file" or "command"' }
        if ($cwd) {
            [Environment]::CurrentDirectory = $cwd
            $Runspace.SessionStateProxy.Path.SetLocation([System.Management.Automation.WildcardPattern]::Escape($cwd)) | Out-Null
        }
        $ps = [powershell]::Create()
        $ps.Runspace = $Runspace
        if ($file) {
            [void]$ps.AddCommand($file)
            foreach ($argument in $arguments) { [void]$ps.AddArgument($argument) }
        } else {
            [void]$ps.AddScript($command)
        }
        # Line by line, so that what a script printed before a terminating error is kept, as pwsh
        # would have printed it (joined, the lines are exactly Out-String's text).
        [void]$ps.AddCommand('Out-String').AddParameter('Stream')
        $inputLines = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $inputLines.Complete()
        $lines = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $async = $ps.BeginInvoke($inputLines, $lines)
        while (-not $async.AsyncWaitHandle.WaitOne(1000)) {
            if (-not (& $KeepWaiting)) { $ps.Stop(); break }
        }
        try {
            $null = $ps.EndInvoke($async)
            $reply.ok = $true
        } catch {
            # EndInvoke rethrows the terminating error, wrapped in a MethodInvocationException.
            $exception = $_.Exception
            while ($exception -is [System.Management.Automation.MethodInvocationException] -and $exception.InnerException) { $exception = $exception.InnerException }
            $terminating = if ($exception -is [System.Management.Automation.IContainsErrorRecord]) { Format-ErrorRecord $exception.ErrorRecord } else { $exception.Message }
            $reply.errors = @($terminating)
        }
        if ($lines.Count -gt 0) { $reply.stdout = (@($lines | ForEach-Object { [string]$_ }) -join "`n") + "`n" }
        $reply.errors = @(@($ps.Streams.Error | ForEach-Object { Format-ErrorRecord $_ }) + @($reply.errors))
        $reply.hadErrors = $ps.HadErrors
    } catch {
        $reply.ok = $false
        $reply.errors = @("pwsh-server: bad request: $($_.Exception.Message)")
    } finally {
        if ($ps) { $ps.Dispose() }
        if ($document) { $document.Dispose() }
        $Runspace.Dispose()
    }
    ConvertTo-Json -InputObject $reply -Compress -EscapeHandling EscapeNonAscii
}

# The parent counts as gone when its pid is free or taken by a later process.
$parentStart = (Get-Process -Id $ParentPid).StartTime
$parentAlive = {
    try { [System.Diagnostics.Process]::GetProcessById($ParentPid).StartTime -eq $parentStart } catch { $false }
}

$listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
$listener.Start()
try {
    $temporary = "$PortFile.$PID.tmp"
    [System.IO.File]::WriteAllText($temporary, [string]$listener.LocalEndpoint.Port)
    [System.IO.File]::Move($temporary, $PortFile, $true)
    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $lastRequest = [DateTime]::UtcNow
    # The next request's runspace, opened while no request waits.
    $runspace = New-RequestRunspace
    while ($true) {
        $accept = $listener.AcceptTcpClientAsync()
        while (-not $accept.Wait(1000)) {
            if (-not (& $parentAlive)) { [Console]::Error.WriteLine("pwsh-server: parent process $ParentPid is gone; exiting"); exit 0 }
            if (([DateTime]::UtcNow - $lastRequest).TotalSeconds -ge $IdleSeconds) { [Console]::Error.WriteLine("pwsh-server: idle for $IdleSeconds s; exiting"); exit 0 }
        }
        $client = $accept.Result
        try {
            $stream = $client.GetStream()
            $stream.ReadTimeout = 10000
            $line = [System.IO.StreamReader]::new($stream, $utf8).ReadLine()
            $reply = Invoke-Request -Line $line -Runspace $runspace -KeepWaiting $parentAlive
            $runspace = $null
            $bytes = $utf8.GetBytes($reply + "`n")
            $stream.Write($bytes, 0, $bytes.Length)
            $client.Client.Shutdown([System.Net.Sockets.SocketShutdown]::Send)
        } catch {
            [Console]::Error.WriteLine("pwsh-server: connection failed: $($_.Exception.Message)")
        } finally {
            $client.Dispose()
        }
        if (-not (& $parentAlive)) { [Console]::Error.WriteLine("pwsh-server: parent process $ParentPid is gone; exiting"); exit 0 }
        $lastRequest = [DateTime]::UtcNow
        if (-not $runspace) { $runspace = New-RequestRunspace }
    }
} finally {
    $listener.Stop()
    Remove-Item -LiteralPath $PortFile -Force -ErrorAction SilentlyContinue
}
