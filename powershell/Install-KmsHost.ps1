<#
.SYNOPSIS
    Bootstraps a legitimate Microsoft KMS volume-activation host on an Azure Windows Server VM.

.DESCRIPTION
    Delivered by an Azure managed Run Command (azurerm_virtual_machine_run_command). It runs as
    SYSTEM under Windows PowerShell 5.1, nobody at the console, and receives every parameter as a
    named string through a command line, so the parameters carry no quotes or shell metacharacters:
    the Office product list arrives base64-encoded and lists are split on commas and whitespace.

    Steps, each in its own function:
      0. validate the parameters (nothing on the machine changes before this passes);
      1. install the Volume Activation Services role (VolumeActivation);
      2. read the KMS host keys (CSVLKs) from Key Vault with the VM's managed identity, retrying
         HTTP 403 for about 15 minutes while the role assignment propagates;
      3. Windows: install the KMS host key, restart the licensing service, activate;
      4. Office (oldest version first): download the Volume License Pack, pin it by SHA-256,
         extract it without running its wizard, install its licences, then install, restart,
         activate the Office KMS host key;
      5. set the KMS port, scope every built-in KMS firewall rule to the client ranges, switch DNS
         publishing, restart the licensing service when something changed;
      6. read everything back and verify.

    Everything runs through the documented methods of the Software Licensing WMI classes; nothing
    needs VBScript (none of the licensing .vbs scripts, nor their script host). Every method's outcome (its ReturnValue
    or the error it throws) is checked and the resulting state is read back: a warning or error is
    a failure with advice. One total deadline ($script:TotalBudgetMinutes) keeps the run well
    inside the Run Command's 90 minutes.

    EVENT LOG CONTRACT (monitoring queries are built on exactly this; do not change lightly):
      Log:      Application
      Source:   AzureKmsHost   (created when missing)
      Event id: 1000 = bootstrap succeeded (Information); message = the summary
                1001 = bootstrap failed    (Error);       message = the advice
      Messages pass through Protect-ProductKey: they never contain a product key.

    RETRY: after a failed first run (create) Terraform keeps the Run Command tainted, so a plain
    `terraform apply` replaces it and runs the bootstrap again. After a failed re-run (update)
    Azure keeps the new parameters as if applied, so a plain apply does NOT run it again: bump
    kms.bootstrapRevision in the environment file, then apply.

    Secrets: a KMS host key only ever lives in a variable handed to
    SoftwareLicensingService.InstallProductKey; it is never put on a process command line, never
    written to the log, the event log, stdout or stderr (everything passes Protect-ProductKey, which
    masks any 5x5 product key). Start-Transcript is not used.

.NOTES
    Facts and sources: the project's test/fixtures/reference/kms-facts.md (README "Keys and activation"). WMI methods, each cited where used:
    https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
    https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
#>
[CmdletBinding()]
param(
    # Not [Mandatory]: a missing value is reported by ConvertTo-BootstrapConfig with advice instead
    # of a prompt nobody can answer in a Run Command.
    [string] $KeyVaultUri = '',
    [string] $WindowsKeySecretName = '',
    # Base64 (UTF-8) of a JSON array of {product, secretName, packUri, packSha256}: JSON's quotes
    # would not survive the Run Command's command line.
    [string] $OfficeProductsBase64 = '',
    [string] $KmsPort = '1688',
    [string] $ClientCidrs = '',
    [string] $DisableDnsPublishing = 'true',
    [string] $LogPath = 'C:\ProgramData\AzureKmsHost\bootstrap.log',
    # Not used by any step: Terraform passes kms.bootstrapRevision here, so bumping it changes the
    # Run Command and re-runs this script in place.
    [string] $Revision = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

$script:WindowsApplicationId = '55c92734-d682-4d71-983e-d6ec3f16059f'
$script:OfficeApplicationId = '0ff1ce15-a989-479d-af46-f275c6370663'

# Office KMS host Activation IDs. Source: Microsoft Learn, "Configure a KMS host computer for
# Office" (learn.microsoft.com/office/volume-license-activation/configure-a-kms-host-computer-for-office).
# Listed oldest first: packs are installed in this order.
$script:OfficeKmsHostActivationIds = [ordered]@{
    'office-2016'      = '98EBFE73-2084-4C97-932C-C0CD1643BEA7'
    'office-2019'      = '70512334-47B4-44DB-A233-BE5EA33B914C'
    'office-ltsc-2021' = '47F3B983-7C53-4D45-ABC6-BCD91E2DD90A'
    'office-ltsc-2024' = 'F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F'
}

# KMS client setup keys (GVLKs), published by Microsoft so that a machine can be turned back into a
# KMS client: https://learn.microsoft.com/windows-server/get-started/kms-client-activation-keys
# Used only to restore the edition's client key when the Windows secret held a non-host key.
$script:WindowsServerGvlks = @{
    '2025 Standard'   = 'TVRH6-WHNXV-R9WG3-9XRFY-MY832'
    '2025 Datacenter' = 'D764K-2NDRG-47T6Q-P8T8W-YP6DF'
    '2022 Standard'   = 'VDYBN-27WPP-V4HQT-9VMD4-VMK7H'
    '2022 Datacenter' = 'WX4NM-KYWYW-QJJR4-XV3QB-6VM33'
    '2019 Standard'   = 'N69G4-B89J2-4G8F4-WWYCC-J464C'
    '2019 Datacenter' = 'WMDGN-G9PQG-XVVXX-R3X43-63DFG'
    '2016 Standard'   = 'WC2BQ-8NRM3-FDDYY-2BFGV-KHKQY'
    '2016 Datacenter' = 'CB7KF-BWN84-R7R2Y-793K2-8XDDG'
}

# The KMS port, firewall rule names and event ids: in the shared "KMS host checks" block below.
$script:ImdsTokenUri = 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net'
$script:KeyVaultApiVersion = '7.4'
# Role assignments can take 10 minutes or more to propagate: 403 is retried this long.
$script:KeyVaultRetrySeconds = 900
$script:MaxBackoffSeconds = 60
# One deadline for the whole run, well inside the Run Command's 90 minutes (its create timeout).
$script:TotalBudgetMinutes = 75
# How long extracting one Volume License Pack may take before it is stopped.
$script:PackExtractSeconds = 300

$script:ProductKeyPattern = '(?i)\b[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-([A-Z0-9]{5})\b'
$script:ProductProperties = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseStatus', 'LicenseStatusReason', 'IsKeyManagementServiceMachine')

# What a licensing HRESULT means and what to do. Source: Microsoft Learn "Resolve Windows
# activation error codes" (learn.microsoft.com/windows-server/get-started/activation-error-codes)
# and the return codes of SLInstallProofOfPurchase (slpublic.h). Static text only.
$script:LicensingErrorHints = [ordered]@{
    '0xC004F050' = 'The product key is invalid: a typo, a beta key, or the wrong key type. Store the KMS host key (CSVLK) from the Microsoft 365 admin center (Billing > Your products > Volume licensing) in the secret.'
    '0xC004F015' = 'The licence this key belongs to is not installed: for Office, the Volume License Pack of that Office version; for Windows, the CSVLK does not fit this Windows Server version.'
    '0xC004F069' = 'No product on this machine matches the key (another product, edition or version).'
    '0xC004C008' = 'The KMS host key is over its activation limit. Ask the Microsoft Activation Center to raise it, or use another CSVLK.'
    '0xC004C003' = 'The activation server says the key is blocked. Use another CSVLK from your agreement.'
    '0xC004F074' = 'The activation service could not be reached. The VM needs outbound HTTPS to Microsoft activation (or activate by phone).'
    '0x8007232B' = 'DNS name does not exist: the VM could not resolve the Microsoft activation service. Check its DNS and outbound access.'
    '0x80072EE7' = 'The activation server name could not be resolved. Check the VM''s DNS and outbound HTTPS access.'
    '0x80070005' = 'Access denied: the Software Licensing Service needs administrative rights (the Run Command runs as SYSTEM).'
    '0x80070057' = 'The Software Licensing Service rejected the argument. Check that the secret holds exactly one 5x5 product key.'
}
$script:LicensingErrorLookup = 'Look the code up in "Resolve Windows activation error codes" (learn.microsoft.com/windows-server/get-started/activation-error-codes).'
$script:RetryAdvice = 'To retry: fix the cause, then run terraform apply. After a failed first run (create) the Run Command is tainted, so a plain terraform apply runs it again; after a failed re-run (update) bump kms.bootstrapRevision in the environment file first, then apply.'

$script:Summary = [ordered]@{}
$script:RestartPending = $false
$script:LogFile = $null
$script:Deadline = [DateTime]::MaxValue

# ---------------------------------------------------------------------------------------------
# Seams: the only places that touch Windows, the network or the clock. Tests replace them.
# ---------------------------------------------------------------------------------------------

function Get-UtcNow { return [DateTime]::UtcNow }
function Wait-Seconds { param([int] $Seconds) Start-Sleep -Seconds $Seconds }
function Test-IsElevated {
    $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}
function Get-OperatingSystem { return Get-CimInstance -ClassName Win32_OperatingSystem }
function Get-SlService { return Get-CimInstance -ClassName SoftwareLicensingService }
function Get-SlProduct { param([string] $Filter) return @(Get-CimInstance -ClassName SoftwareLicensingProduct -Filter $Filter -Property $script:ProductProperties) }
function Invoke-SlMethod {
    param($InputObject, [string] $MethodName, [hashtable] $Arguments = @{})
    # A failed method is an error of Invoke-CimMethod (a CimException carrying the HRESULT); Stop makes
    # it reach the caller's catch whatever the preference.
    return Invoke-CimMethod -InputObject $InputObject -MethodName $MethodName -Arguments $Arguments -ErrorAction Stop
}
function Restart-LicensingService { Restart-Service -Name sppsvc -Force }
function Get-VolumeActivationFeature { return Get-WindowsFeature -Name VolumeActivation }
function Install-VolumeActivationFeature { return Install-WindowsFeature -Name VolumeActivation -IncludeManagementTools }
function Invoke-JsonGet {
    param([string] $Uri, [hashtable] $Headers)
    return Invoke-RestMethod -Method Get -Uri $Uri -Headers $Headers -UseBasicParsing -TimeoutSec 30
}
function Save-WebFile { param([string] $Uri, [string] $OutFile) Invoke-WebRequest -Uri $Uri -OutFile $OutFile -UseBasicParsing -TimeoutSec 600 }
function Get-PackSignature { param([string] $Path) return Get-AuthenticodeSignature -FilePath $Path }
function Start-PackProcess {
    # Starts the pack's executable hidden and returns the Process object.
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/start-process
    param([string] $Path, [string[]] $ArgumentList)
    return Start-Process -FilePath $Path -ArgumentList $ArgumentList -PassThru -WindowStyle Hidden
}
function Get-ChildProcessIds {
    # The ids of the processes whose parent is $ParentId (Win32_Process.ParentProcessId).
    # https://learn.microsoft.com/windows/win32/cimwin32prov/win32-process
    param([int] $ParentId)
    return @(Get-CimInstance -ClassName Win32_Process -Filter "ParentProcessId = $ParentId" | ForEach-Object { [int]$_.ProcessId })
}
function Stop-ProcessById {
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/stop-process
    param([int] $Id)
    Stop-Process -Id $Id -Force -ErrorAction SilentlyContinue
}
function Get-WorkRoot {
    # Where the per-run work folder is created: C:\Windows\Temp, owned by the system.
    return (Join-Path $env:SystemRoot 'Temp')
}
function Set-AdministratorsOnlyAcl {
    # Only SYSTEM and Administrators may write (or own): the pack's files are installed as SYSTEM.
    param([string] $Path)
    $acl = New-Object System.Security.AccessControl.DirectorySecurity
    $acl.SetOwner((New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')))
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = New-Object System.Security.Principal.SecurityIdentifier($sid)
        $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($identity, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')))
    }
    Set-Acl -LiteralPath $Path -AclObject $acl
}
function Get-FirewallRule {
    # $null, or Name, Enabled, RemoteAddress (string[]) and LocalPort (string[]) of one rule.
    param([string] $Name)
    $rule = Get-NetFirewallRule -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $rule) { return $null }
    return [pscustomobject]@{
        Name          = $Name
        Enabled       = ([string]$rule.Enabled -eq 'True')
        RemoteAddress = @(($rule | Get-NetFirewallAddressFilter).RemoteAddress)
        LocalPort     = @(($rule | Get-NetFirewallPortFilter).LocalPort)
    }
}
function Set-FirewallRule {
    param([string] $Name, [string[]] $RemoteAddress, [bool] $Enabled)
    $state = 'False'
    if ($Enabled) { $state = 'True' }
    Set-NetFirewallRule -Name $Name -RemoteAddress $RemoteAddress -Enabled $state -Profile Any
}
function New-OwnFirewallRule {
    param([string] $Name, [int] $Port, [string[]] $RemoteAddress)
    New-NetFirewallRule -Name $Name -DisplayName 'Azure KMS host: Key Management Service (TCP-In)' -Direction Inbound -Action Allow -Protocol TCP -LocalPort ([string]$Port) -RemoteAddress $RemoteAddress -Profile Any -Enabled True | Out-Null
}
function Remove-OwnFirewallRule { param([string] $Name) Remove-NetFirewallRule -Name $Name }
function Write-ApplicationEvent {
    # Application log entry; the source is created when missing (needs administrative rights).
    param([string] $Source, [int] $EventId, [string] $EntryType, [string] $Message)
    if (-not [System.Diagnostics.EventLog]::SourceExists($Source)) { [System.Diagnostics.EventLog]::CreateEventSource($Source, 'Application') }
    [System.Diagnostics.EventLog]::WriteEntry($Source, $Message, [System.Diagnostics.EventLogEntryType]$EntryType, $EventId)
}

# ---------------------------------------------------------------------------------------------
# Shared with Test-KmsHost.ps1
# ---------------------------------------------------------------------------------------------

# >>> KMS host checks: this block is identical in Install-KmsHost.ps1 (its step 6) and
# Test-KmsHost.ps1 (the post-deploy check); test/powershell-shared-checks.test.ts keeps it so.
# Edit it in Test-KmsHost.ps1, then run: node scripts/sync-kms-host-checks.cjs
# It needs from its script: Get-SlService, Get-SlProduct (-Filter) and Get-FirewallRule.

$script:DefaultKmsPort = 1688
# The built-in KMS inbound rules ("Key Management Service (TCP-In)") and the rule of our own that
# admits a non-default KMS port.
$script:BuiltInFirewallRules = @('SPPSVC-In-TCP', 'SPPSVC-In-TCP-NoScope')
$script:OwnFirewallRuleName = 'AzureKmsHost-KMS-In-TCP'
$script:EventSource = 'AzureKmsHost'
$script:EventIdSuccess = 1000
$script:EventIdFailure = 1001

# Seams of the checks (tests replace them):
function Test-EventSourcePresent {
    # https://learn.microsoft.com/dotnet/api/system.diagnostics.eventlog.sourceexists
    param([string] $Source)
    return [System.Diagnostics.EventLog]::SourceExists($Source)
}
function Get-LastBootstrapEvent {
    # The newest event 1000 or 1001 of the bootstrap's source, or $null.
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.diagnostics/get-winevent
    $found = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $script:EventSource; Id = @($script:EventIdSuccess, $script:EventIdFailure) } -MaxEvents 1 -ErrorAction SilentlyContinue)
    if ($found.Count -eq 0) { return $null }
    return $found[0]
}
function Test-PortListening {
    # Whether a TCP listener is open on the port now.
    # https://learn.microsoft.com/powershell/module/nettcpip/get-nettcpconnection
    param([int] $Port)
    return (@(Get-NetTCPConnection -State Listen -LocalPort $Port -ErrorAction SilentlyContinue).Count -gt 0)
}
# End of seams.

function Test-IsKmsHostProduct {
    # A KMS host's channel is VOLUME_KMS (Office) or VOLUME_KMS_<group> (Windows); a KMS client's
    # is VOLUME_KMSCLIENT, which must not count.
    param([Parameter(Mandatory = $true)] $Product)
    $description = [string]$Product.Description
    return (($description -match 'VOLUME_KMS') -and ($description -notmatch 'VOLUME_KMSCLIENT'))
}

function Get-EffectiveKmsPort {
    # KeyManagementServiceListeningPort is 0 until a port is set; the host then listens on 1688.
    $port = [int](Get-SlService).KeyManagementServiceListeningPort
    if ($port -eq 0) { return $script:DefaultKmsPort }
    return $port
}

function ConvertTo-NormalizedAddress {
    # '10.0.0.0/255.255.0.0' (how Windows Firewall reports ranges) and '10.0.0.0/16' both become
    # '10.0.0.0/16'; a single address gets its full prefix.
    param([Parameter(Mandatory = $true)] [string] $Address)
    $parts = @($Address.Trim().Split('/'))
    $ip = $null
    # Keywords such as Any or LocalSubnet stay as they are (and never equal a range).
    if (-not [System.Net.IPAddress]::TryParse($parts[0], [ref]$ip)) { return $Address.Trim().ToLowerInvariant() }
    $max = 32
    if ($ip.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6) { $max = 128 }
    $prefix = $max
    if ($parts.Count -gt 1) {
        if ($parts[1] -match '^\d+$') { $prefix = [int]$parts[1] }
        else {
            $prefix = 0
            foreach ($byte in [System.Net.IPAddress]::Parse($parts[1]).GetAddressBytes()) { $prefix += @([Convert]::ToString($byte, 2).ToCharArray() | Where-Object { $_ -eq '1' }).Count }
        }
    }
    return ('{0}/{1}' -f $ip.ToString(), $prefix).ToLowerInvariant()
}

function Test-SameAddresses {
    param([string[]] $Actual, [string[]] $Expected)
    $a = @($Actual | Where-Object { $_ } | ForEach-Object { ConvertTo-NormalizedAddress -Address $_ } | Sort-Object -Unique)
    $e = @($Expected | ForEach-Object { ConvertTo-NormalizedAddress -Address $_ } | Sort-Object -Unique)
    return (($a -join ',') -eq ($e -join ','))
}

function Test-IsScopedAddressList {
    # True when every entry is an address or range (none of the keywords Any, LocalSubnet,
    # Internet, Intranet... that Windows Firewall also accepts).
    param([string[]] $Addresses)
    $list = @($Addresses | Where-Object { $_ })
    if ($list.Count -eq 0) { return $false }
    foreach ($address in $list) {
        $ip = $null
        if (-not [System.Net.IPAddress]::TryParse(([string]$address).Split('/')[0], [ref]$ip)) { return $false }
    }
    return $true
}

function New-KmsHostCheck {
    param([string] $Check, [bool] $Passed, [string] $Detail)
    $status = 'FAIL'
    if ($Passed) { $status = 'PASS' }
    return [pscustomobject]@{ Check = $Check; Status = $status; Detail = $Detail }
}

function Get-KmsHostCheckResults {
    # The read-only checks of a KMS host, one object (Check, Status PASS/FAIL, Detail) each.
    # ExpectedProducts: @{ Label; ActivationId } (ActivationId '' = the Windows KMS host product);
    # none given = every KMS host product that has a key. ClientCidrs: the ranges the rules must
    # admit exactly; none given = any list of addresses, but no keyword such as Any. With
    # -IncludeBootstrapRecord the event source and the last bootstrap event are checked too.
    param(
        [int] $Port = 1688,
        [string[]] $ClientCidrs = @(),
        [bool] $DnsPublishing = $false,
        [object[]] $ExpectedProducts = @(),
        [switch] $IncludeBootstrapRecord
    )
    $results = @()
    # Licence state per product, and KMS enabled on it (SoftwareLicensingProduct LicenseStatus 1 =
    # licensed, IsKeyManagementServiceMachine 1):
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
    $products = @()
    if (@($ExpectedProducts).Count -eq 0) {
        foreach ($product in @(Get-SlProduct -Filter 'PartialProductKey IS NOT NULL')) {
            if (Test-IsKmsHostProduct -Product $product) { $products += [pscustomobject]@{ Label = [string]$product.Name; Product = $product } }
        }
        if ($products.Count -eq 0) { $results += New-KmsHostCheck -Check 'Licence' -Passed $false -Detail 'No KMS host key (CSVLK) is installed for any product. Run the bootstrap (bump kms.bootstrapRevision, apply).' }
    }
    else {
        foreach ($expected in $ExpectedProducts) {
            $found = $null
            if ($expected.ActivationId) { $found = @(Get-SlProduct -Filter "ID = '$(([string]$expected.ActivationId).ToLowerInvariant())'") | Select-Object -First 1 }
            else { $found = @(Get-SlProduct -Filter "ApplicationId = '55c92734-d682-4d71-983e-d6ec3f16059f' AND PartialProductKey IS NOT NULL" | Where-Object { Test-IsKmsHostProduct -Product $_ }) | Select-Object -First 1 }
            $products += [pscustomobject]@{ Label = [string]$expected.Label; Product = $found }
        }
    }
    foreach ($entry in $products) {
        $product = $entry.Product
        if ($null -eq $product -or -not $product.PartialProductKey) {
            $results += New-KmsHostCheck -Check "Licence $($entry.Label)" -Passed $false -Detail 'no KMS host product with a key found after configuration.'
            continue
        }
        $status = [int64]$product.LicenseStatus
        $kms = [int64]$product.IsKeyManagementServiceMachine
        if ($status -ne 1) {
            $results += New-KmsHostCheck -Check "Licence $($entry.Label)" -Passed $false -Detail ('the KMS host key ends {0} but is not activated (LicenseStatus {1}, reason 0x{2:X8}). The VM needs outbound internet access to activate its KMS host key.' -f $product.PartialProductKey, $status, ([int64]$product.LicenseStatusReason -band 4294967295))
        }
        elseif ($kms -ne 1) {
            $results += New-KmsHostCheck -Check "Licence $($entry.Label)" -Passed $false -Detail 'licensed, but Key Management Service is not enabled for this product. Check that the key is a KMS host key (CSVLK).'
        }
        else {
            $results += New-KmsHostCheck -Check "Licence $($entry.Label)" -Passed $true -Detail ('licensed, KMS host enabled, key ends {0}, {1}' -f $product.PartialProductKey, $product.Description)
        }
    }

    # The listening port (SoftwareLicensingService.KeyManagementServiceListeningPort, 0 = 1688):
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
    $effective = Get-EffectiveKmsPort
    $listening = 'no listener right now (the Software Protection service starts on demand)'
    if (Test-PortListening -Port $effective) { $listening = 'listening now' }
    $results += New-KmsHostCheck -Check 'Port' -Passed ($effective -eq $Port) -Detail "KMS port $effective (expected $Port); $listening"

    # Firewall: every built-in KMS rule and ours admits only the client ranges; the port is open
    # through an enabled rule.
    $open = $false
    foreach ($name in @($script:BuiltInFirewallRules) + $script:OwnFirewallRuleName) {
        $rule = Get-FirewallRule -Name $name
        if ($null -eq $rule) {
            if ($name -eq 'SPPSVC-In-TCP') { $results += New-KmsHostCheck -Check "Firewall $name" -Passed $false -Detail 'rule not found: the Volume Activation role is not installed.' }
            continue
        }
        $addresses = @($rule.RemoteAddress)
        $scoped = Test-IsScopedAddressList -Addresses $addresses
        if ($scoped -and @($ClientCidrs).Count -gt 0) { $scoped = Test-SameAddresses -Actual $addresses -Expected $ClientCidrs }
        if ($rule.Enabled -and (@($rule.LocalPort) -join ',') -eq [string]$effective) { $open = $true }
        $state = 'disabled'
        if ($rule.Enabled) { $state = 'enabled' }
        $detail = "$state, TCP $(@($rule.LocalPort) -join ',') from $($addresses -join ', ')"
        if (-not $scoped) { $detail += '; must admit only the client ranges' }
        $results += New-KmsHostCheck -Check "Firewall $name" -Passed $scoped -Detail $detail
    }
    $results += New-KmsHostCheck -Check 'Firewall open' -Passed $open -Detail "an enabled rule admits TCP ${effective}: $open"

    # DNS publishing (KeyManagementServiceDnsPublishing):
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/disablekeymanagementservicednspublishing-softwarelicensingservice
    $publishing = [bool](Get-SlService).KeyManagementServiceDnsPublishing
    $results += New-KmsHostCheck -Check 'DNS publishing' -Passed ($publishing -eq $DnsPublishing) -Detail "publishing $publishing (expected $DnsPublishing)"

    if ($IncludeBootstrapRecord) {
        $results += New-KmsHostCheck -Check 'Event source' -Passed ([bool](Test-EventSourcePresent -Source $script:EventSource)) -Detail "Application log source $($script:EventSource)"
        $last = Get-LastBootstrapEvent
        if ($null -eq $last) { $results += New-KmsHostCheck -Check 'Last bootstrap' -Passed $false -Detail "no event $($script:EventIdSuccess) or $($script:EventIdFailure) from $($script:EventSource): the bootstrap never finished here." }
        else {
            $when = ([datetime]$last.TimeCreated).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
            $results += New-KmsHostCheck -Check 'Last bootstrap' -Passed ([int]$last.Id -eq $script:EventIdSuccess) -Detail "event $($last.Id) at $when"
        }
    }
    return $results
}
# <<< KMS host checks

# ---------------------------------------------------------------------------------------------
# Logging and helpers
# ---------------------------------------------------------------------------------------------

function Protect-ProductKey {
    # Replaces every 5x5 product key in $Text with *****-*****-*****-*****-LAST5: the last line of
    # defence before anything reaches the log, the console or the event log.
    param([AllowEmptyString()] [AllowNull()] [string] $Text)
    if ([string]::IsNullOrEmpty($Text)) { return '' }
    return [regex]::Replace($Text, $script:ProductKeyPattern, '*****-*****-*****-*****-$1')
}

function Get-MaskedKey {
    param([Parameter(Mandatory = $true)] [string] $Key)
    if ($Key.Length -lt 5) { return '*****' }
    return '*****-*****-*****-*****-' + $Key.Substring($Key.Length - 5)
}

function Write-Log {
    # One line per event to stdout and the log file, masked. [Console]::Out keeps log lines out of
    # function return values.
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Message,
        [ValidateSet('INFO', 'WARN', 'ERROR', 'STEP')] [string] $Level = 'INFO'
    )
    $line = '{0} [{1}] {2}' -f (Get-UtcNow).ToString('yyyy-MM-ddTHH:mm:ss.fffZ'), $Level, (Protect-ProductKey -Text $Message)
    [Console]::Out.WriteLine($line)
    if ($script:LogFile) {
        try { Add-Content -LiteralPath $script:LogFile -Value $line -Encoding UTF8 }
        catch { [Console]::Out.WriteLine("could not write to the log file: $($_.Exception.Message)") }
    }
}

function Initialize-Log {
    param([Parameter(Mandatory = $true)] [string] $Path)
    $folder = Split-Path -Path $Path -Parent
    if ($folder -and -not (Test-Path -LiteralPath $folder)) { New-Item -ItemType Directory -Path $folder -Force | Out-Null }
    $script:LogFile = $Path
    Write-Log -Level STEP -Message ('Install-KmsHost.ps1 starting (PowerShell {0})' -f $PSVersionTable.PSVersion)
}

function Write-KmsBootstrapEvent {
    # The monitoring contract (see the header): 1000 success, 1001 failure, source AzureKmsHost.
    # Losing the event must not change the outcome, so a failure to write it is only logged.
    param([Parameter(Mandatory = $true)] [bool] $Succeeded, [Parameter(Mandatory = $true)] [string] $Message)
    $eventId = $script:EventIdFailure
    $entryType = 'Error'
    if ($Succeeded) { $eventId = $script:EventIdSuccess; $entryType = 'Information' }
    try {
        Write-ApplicationEvent -Source $script:EventSource -EventId $eventId -EntryType $entryType -Message (Protect-ProductKey -Text $Message)
    }
    catch {
        Write-Log -Level WARN -Message "could not write event $eventId to the Application log: $($_.Exception.Message)"
    }
}

function Assert-TimeLeft {
    param([Parameter(Mandatory = $true)] [string] $Step)
    if ((Get-UtcNow) -ge $script:Deadline) {
        throw "$Step : the bootstrap ran out of its $($script:TotalBudgetMinutes)-minute budget. Check the log for the slow step (downloads, Key Vault access), fix it, then retry."
    }
}

function Get-BackoffSeconds {
    param([Parameter(Mandatory = $true)] [int] $Attempt)
    $seconds = [math]::Pow(2, $Attempt)
    if ($seconds -gt $script:MaxBackoffSeconds) { $seconds = $script:MaxBackoffSeconds }
    return [int]$seconds
}

function Get-HttpStatusCode {
    # Status code of a failed web request (PowerShell 7 HttpResponseException and Windows
    # PowerShell 5.1 WebException both expose Response.StatusCode), or 0 without a response.
    param([Parameter(Mandatory = $true)] $ErrorRecord)
    $exception = $ErrorRecord.Exception
    if ($null -ne $exception -and $exception.PSObject.Properties['Response']) {
        $response = $exception.Response
        if ($null -ne $response -and $response.PSObject.Properties['StatusCode']) { return [int]$response.StatusCode }
    }
    return 0
}

function Enable-Tls12 {
    # Windows PowerShell 5.1 runs on .NET Framework, whose default protocol list may lack TLS 1.2
    # (learn.microsoft.com/security/engineering/solving-tls1-problem,
    # learn.microsoft.com/dotnet/framework/network-programming/tls): every HTTPS call (Key Vault,
    # the pack download) would fail in the handshake. Switched on once, before the first call.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
}

function Get-HttpFailureText {
    # 'HTTP <status>' for an HTTP error; for a failure with no HTTP response (name resolution, TLS,
    # connect) the WebException status or the .NET exception type, which read the same in every
    # display language: 'no HTTP response (SecureChannelFailure)'.
    param([Parameter(Mandatory = $true)] $ErrorRecord)
    $status = Get-HttpStatusCode -ErrorRecord $ErrorRecord
    if ($status -gt 0) { return "HTTP $status" }
    $exception = Get-InnermostException -Exception $ErrorRecord.Exception
    for ($e = $ErrorRecord.Exception; $null -ne $e; $e = $e.InnerException) {
        if ($e -is [System.Net.WebException]) { return "no HTTP response ($($e.Status))" }
    }
    return "no HTTP response ($($exception.GetType().Name))"
}

function Get-InnermostException {
    # The error behind wrappers (AggregateException, MethodInvocationException, TargetInvocation):
    # Windows PowerShell 5.1 prints only the wrapper's "One or more errors occurred.".
    param([Parameter(Mandatory = $true)] [Exception] $Exception)
    $e = $Exception
    while ($null -ne $e.InnerException) { $e = $e.InnerException }
    return $e
}

function Format-HResult {
    param([Parameter(Mandatory = $true)] [int64] $Code)
    return '0x{0:X8}' -f ($Code -band [int64]4294967295)
}

function Get-LicensingErrorHint {
    param([AllowEmptyString()] [string] $Code)
    if ($Code -match '^(?i)0x[0-9a-f]{8}$') {
        $normalized = '0x' + $Code.Substring(2).ToUpperInvariant()
        if ($script:LicensingErrorHints.Contains($normalized)) { return $script:LicensingErrorHints[$normalized] }
    }
    return $script:LicensingErrorLookup
}

function Get-LicensingErrorCode {
    # The HRESULT behind a failed licensing method: from MSFT_WmiError.error_Code in the
    # CimException's ErrorData (learn.microsoft.com/dotnet/api/microsoft.management.infrastructure.cimexception.errordata),
    # else the exception's HResult when it is a licensing or Win32 code, else the first
    # 0x........ in a message, else ''.
    param([Parameter(Mandatory = $true)] $ErrorRecord)
    for ($exception = $ErrorRecord.Exception; $null -ne $exception; $exception = $exception.InnerException) {
        if ($exception.PSObject.Properties['ErrorData'] -and $null -ne $exception.ErrorData) {
            $property = $exception.ErrorData.CimInstanceProperties['error_Code']
            if ($null -ne $property -and $null -ne $property.Value -and [int64]$property.Value -ne 0) { return Format-HResult -Code ([int64]$property.Value) }
        }
        # An HRESULT of the licensing (ITF, 0xC004....) or Win32 (0x8007....) facility; .NET's own
        # generic codes (0x8013....) say nothing about the licensing call.
        $hresult = Format-HResult -Code ([int64]$exception.HResult)
        if ($hresult -match '^0x(C004|8007)') { return $hresult }
        if ([string]$exception.Message -match '(?i)0x[0-9a-f]{8}') { return Format-HResult -Code ([Convert]::ToInt64($Matches[0].Substring(2), 16)) }
    }
    return ''
}

function Invoke-LicensingMethod {
    # Calls one Software Licensing WMI method and turns any outcome but success (an exception or a
    # non-zero ReturnValue) into a failure that names the code and what to do. Never logs arguments.
    param(
        [Parameter(Mandatory = $true)] $InputObject,
        [Parameter(Mandatory = $true)] [string] $MethodName,
        [hashtable] $Arguments = @{},
        [Parameter(Mandatory = $true)] [string] $Label
    )
    Write-Log -Message "$Label : $MethodName"
    $code = ''
    $detail = ''
    try {
        $result = Invoke-SlMethod -InputObject $InputObject -MethodName $MethodName -Arguments $Arguments
        if ($null -ne $result -and $result.PSObject.Properties['ReturnValue'] -and $null -ne $result.ReturnValue -and [int64]$result.ReturnValue -ne 0) {
            $code = Format-HResult -Code ([int64]$result.ReturnValue)
        }
    }
    catch {
        $code = Get-LicensingErrorCode -ErrorRecord $_
        if (-not $code) { $code = 'no error code' }
        $detail = ' ' + (Protect-ProductKey -Text ([string]$_.Exception.Message))
    }
    if ($code) { throw "$Label : $MethodName failed ($code). $(Get-LicensingErrorHint -Code $code)$detail" }
}

function Get-LicensingProduct {
    # The SoftwareLicensingProduct with this Activation ID (WMI property ID), or $null.
    param([Parameter(Mandatory = $true)] [string] $ActivationId)
    $found = @(Get-SlProduct -Filter "ID = '$($ActivationId.ToLowerInvariant())'")
    if ($found.Count -eq 0) { return $null }
    return $found[0]
}

function Get-WindowsKeyedProducts {
    return @(Get-SlProduct -Filter "ApplicationId = '$($script:WindowsApplicationId)' AND PartialProductKey IS NOT NULL")
}

function Install-KmsKey {
    # InstallProductKey, then RefreshLicenseStatus (what slmgr /ipk does), through WMI so that the
    # key never reaches a process command line.
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/installproductkey-softwarelicensingservice
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/refreshlicensestatus-softwarelicensingservice
    param([Parameter(Mandatory = $true)] [string] $HostKey, [Parameter(Mandatory = $true)] [string] $Label)
    $service = Get-SlService
    Invoke-LicensingMethod -InputObject $service -MethodName InstallProductKey -Arguments @{ ProductKey = $HostKey } -Label "$Label key $(Get-MaskedKey -Key $HostKey)"
    Invoke-LicensingMethod -InputObject $service -MethodName RefreshLicenseStatus -Label $Label
}

function Restart-LicensingServiceNow {
    # Microsoft asks for a restart of the Software Protection service after KMS configuration
    # changes (tools-to-manage-volume-activation-of-office); done after a key install and before
    # activation, and at the end when the port, DNS publishing or licences changed.
    param([Parameter(Mandatory = $true)] [string] $Reason)
    Write-Log -Message "restarting sppsvc ($Reason)"
    Restart-LicensingService
    $script:RestartPending = $false
}

function Invoke-ProductActivation {
    # SoftwareLicensingProduct.Activate, then read the licence status back.
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/activate-softwarelicensingproduct
    param([Parameter(Mandatory = $true)] [string] $ActivationId, [Parameter(Mandatory = $true)] [string] $Label)
    $product = Get-LicensingProduct -ActivationId $ActivationId
    if ($null -eq $product) { throw "$Label : the licensing service no longer lists product $ActivationId to activate." }
    Invoke-LicensingMethod -InputObject $product -MethodName Activate -Label $Label
    $product = Get-LicensingProduct -ActivationId $ActivationId
    if ([int]$product.LicenseStatus -ne 1) {
        $reason = Format-HResult -Code ([int64]$product.LicenseStatusReason)
        throw "$Label : Activate returned but the licence status is $($product.LicenseStatus), reason $reason. $(Get-LicensingErrorHint -Code $reason)"
    }
    Write-Log -Message "$Label : activated (LicenseStatus 1)."
}

function Test-KmsHostKeyFormat {
    param([Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Key, [Parameter(Mandatory = $true)] [string] $SecretName)
    if ($Key -notmatch '^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$') {
        throw "Key Vault secret '$SecretName' does not look like a product key (expected 5 groups of 5 letters or digits separated by '-', got $($Key.Length) characters). Store the KMS host key (CSVLK) from the Microsoft 365 admin center in it."
    }
}

# ---------------------------------------------------------------------------------------------
# Step 0: parameters
# ---------------------------------------------------------------------------------------------

function ConvertTo-BootstrapConfig {
    # Validates and converts the string parameters; a bad value fails before anything changes.
    param(
        [AllowEmptyString()] [string] $KeyVaultUri,
        [AllowEmptyString()] [string] $WindowsKeySecretName,
        [AllowEmptyString()] [string] $OfficeProductsBase64,
        [AllowEmptyString()] [string] $KmsPort,
        [AllowEmptyString()] [string] $ClientCidrs,
        [AllowEmptyString()] [string] $DisableDnsPublishing
    )
    Write-Log -Level STEP -Message 'Step 0: validating parameters'
    $vault = $KeyVaultUri.Trim()
    $vaultUri = $null
    if (-not [Uri]::TryCreate($vault, [UriKind]::Absolute, [ref]$vaultUri) -or $vaultUri.Scheme -ne 'https') {
        throw "Parameter KeyVaultUri '$KeyVaultUri' is not an https URL. Pass the vault URI, e.g. https://kv-kms-lab.vault.azure.net/."
    }
    if (-not $vault.EndsWith('/')) { $vault = $vault + '/' }

    $secretNamePattern = '^[0-9A-Za-z-]{1,127}$'
    $windowsSecret = $WindowsKeySecretName.Trim()
    if ($windowsSecret -and $windowsSecret -notmatch $secretNamePattern) {
        throw "Parameter WindowsKeySecretName '$windowsSecret' is not a Key Vault secret name (1-127 letters, digits and '-')."
    }

    $portNumber = 0
    if (-not [int]::TryParse($KmsPort.Trim(), [ref]$portNumber) -or $portNumber -lt 1 -or $portNumber -gt 65535) {
        throw "Parameter KmsPort '$KmsPort' is not a TCP port (1-65535)."
    }

    # Commas and any whitespace separate entries: a list written with spaces still works.
    $cidrs = @($ClientCidrs -split '[,\s]+' | Where-Object { $_ -ne '' })
    if ($cidrs.Count -eq 0) {
        throw 'Parameter ClientCidrs is empty. Pass the CIDR ranges of the KMS clients (comma-separated): the firewall admits only them.'
    }
    foreach ($cidr in $cidrs) {
        $parts = $cidr.Split('/')
        $address = $null
        $prefix = 0
        $maxPrefix = 32
        $valid = ($parts.Count -eq 2) -and [System.Net.IPAddress]::TryParse($parts[0], [ref]$address) -and [int]::TryParse($parts[1], [ref]$prefix)
        if ($valid -and $address.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6) { $maxPrefix = 128 }
        if (-not $valid -or $prefix -lt 0 -or $prefix -gt $maxPrefix) {
            throw "Parameter ClientCidrs entry '$cidr' is not a CIDR range (e.g. 10.20.0.0/16)."
        }
    }

    $dnsValue = $DisableDnsPublishing.Trim().ToLowerInvariant()
    if ($dnsValue -ne 'true' -and $dnsValue -ne 'false') {
        throw "Parameter DisableDnsPublishing '$DisableDnsPublishing' must be true or false."
    }

    $office = @(ConvertFrom-OfficeProductsBase64 -Encoded $OfficeProductsBase64 -SecretNamePattern $secretNamePattern)
    if (-not $windowsSecret -and $office.Count -eq 0) {
        throw 'Nothing to do: neither WindowsKeySecretName nor OfficeProductsBase64 was given. Configure at least one KMS host key.'
    }
    $config = [pscustomobject]@{
        KeyVaultUri          = $vault
        VaultName            = $vaultUri.Host.Split('.')[0]
        WindowsSecretName    = $windowsSecret
        Office               = $office
        Port                 = $portNumber
        ClientCidrs          = $cidrs
        DisableDnsPublishing = ($dnsValue -eq 'true')
    }
    $officeText = '(none)'
    if ($office.Count -gt 0) { $officeText = ($office | ForEach-Object { $_.Product }) -join ', ' }
    Write-Log -Message ("vault {0}; Windows key secret '{1}'; Office: {2}; port {3}; clients {4}; DNS publishing disabled: {5}" -f $config.VaultName, $windowsSecret, $officeText, $portNumber, ($cidrs -join ', '), $config.DisableDnsPublishing)
    return $config
}

function ConvertFrom-OfficeProductsBase64 {
    # Decodes and validates the Office product list. Returns the entries oldest version first.
    param([AllowEmptyString()] [string] $Encoded, [Parameter(Mandatory = $true)] [string] $SecretNamePattern)
    $text = $Encoded.Trim()
    if ($text -eq '') { return @() }
    try { $json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($text)) }
    catch { throw "Parameter OfficeProductsBase64 is not base64. It must be the base64 (UTF-8) of a JSON array; the Terraform side (KmsHostBootstrap) writes it." }
    if (-not $json.TrimStart().StartsWith('[')) { throw 'Parameter OfficeProductsBase64 does not decode to a JSON array of {product, secretName, packUri, packSha256}.' }
    try { $parsed = ConvertFrom-Json -InputObject $json }
    catch { throw "Parameter OfficeProductsBase64 does not decode to valid JSON: $($_.Exception.Message)" }
    # Windows PowerShell 5.1 returns an array as one object; enumerating normalises both.
    $items = @($parsed | ForEach-Object { $_ } | Where-Object { $null -ne $_ })
    $entries = @()
    $seen = @{}
    for ($index = 0; $index -lt $items.Count; $index++) {
        $item = $items[$index]
        $values = @{}
        foreach ($field in @('product', 'secretName', 'packUri', 'packSha256')) {
            $property = $item.PSObject.Properties[$field]
            if ($null -eq $property -or [string]::IsNullOrWhiteSpace([string]$property.Value)) {
                throw "OfficeProductsBase64 entry $index has no '$field'. Each entry needs product, secretName, packUri and packSha256."
            }
            $values[$field] = ([string]$property.Value).Trim()
        }
        $product = $values['product'].ToLowerInvariant()
        if (-not $script:OfficeKmsHostActivationIds.Contains($product)) {
            throw "OfficeProductsBase64 entry $index product '$($values['product'])' is not supported. Use one of: $($script:OfficeKmsHostActivationIds.Keys -join ', ')."
        }
        if ($seen.ContainsKey($product)) { throw "OfficeProductsBase64 lists '$product' twice; one KMS host key per Office version." }
        $seen[$product] = $true
        if ($values['secretName'] -notmatch $SecretNamePattern) { throw "OfficeProductsBase64 entry $index secretName '$($values['secretName'])' is not a Key Vault secret name." }
        $packUri = $null
        if (-not [Uri]::TryCreate($values['packUri'], [UriKind]::Absolute, [ref]$packUri) -or $packUri.Scheme -ne 'https') {
            throw "OfficeProductsBase64 entry $index packUri '$($values['packUri'])' must be an https URL (the Office Volume License Pack from the Microsoft Download Center)."
        }
        if ($values['packSha256'] -notmatch '^[0-9A-Fa-f]{64}$') { throw "OfficeProductsBase64 entry $index packSha256 must be 64 hexadecimal characters." }
        $entries += [pscustomobject]@{
            Product      = $product
            SecretName   = $values['secretName']
            PackUri      = $packUri.AbsoluteUri
            PackSha256   = $values['packSha256'].ToUpperInvariant()
            ActivationId = $script:OfficeKmsHostActivationIds[$product]
            Order        = @($script:OfficeKmsHostActivationIds.Keys).IndexOf($product)
        }
    }
    return @($entries | Sort-Object -Property Order)
}

function Assert-Prerequisites {
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message 'Step 0b: checking prerequisites'
    if ($env:PROCESSOR_ARCHITEW6432) { throw 'This script runs in 32-bit PowerShell on 64-bit Windows. Run it with the 64-bit Windows PowerShell (the Run Command default).' }
    if (-not (Test-IsElevated)) { throw 'This script needs administrative rights (the Run Command runs it as SYSTEM).' }
    $os = Get-OperatingSystem
    Write-Log -Message "operating system: $($os.Caption) $($os.Version)"
    # Windows Server Datacenter: Azure Edition cannot be a KMS host (kms-activation-planning).
    if ([string]$os.Caption -match 'Azure Edition') {
        throw 'Windows Server Datacenter: Azure Edition cannot be a KMS host. Deploy the VM from a Windows Server Standard or Datacenter image.'
    }
    return $os
}

# ---------------------------------------------------------------------------------------------
# Step 1: Volume Activation Services role
# ---------------------------------------------------------------------------------------------

function Install-VolumeActivationRole {
    Write-Log -Level STEP -Message 'Step 1: Volume Activation Services role (VolumeActivation)'
    $feature = Get-VolumeActivationFeature
    if ($null -eq $feature) { throw 'The VolumeActivation feature does not exist on this Windows edition. Use a Windows Server Standard or Datacenter image.' }
    if ($feature.Installed) {
        $script:Summary['VolumeActivation role'] = 'already installed'
        return
    }
    $result = Install-VolumeActivationFeature
    if (-not $result.Success) { throw "Installing the VolumeActivation feature failed (exit code $($result.ExitCode)). Check C:\Windows\Logs\DISM\dism.log." }
    $script:Summary['VolumeActivation role'] = 'installed'
}

# ---------------------------------------------------------------------------------------------
# Step 2: Key Vault
# ---------------------------------------------------------------------------------------------

function Invoke-WithRetry {
    # Runs $Action until it succeeds, a non-retryable status comes back, or $BudgetSeconds (and
    # the run's deadline) pass. Returns the action's result; throws the last error record otherwise.
    param(
        [Parameter(Mandatory = $true)] [scriptblock] $Action,
        [Parameter(Mandatory = $true)] [int[]] $RetryStatuses,
        [Parameter(Mandatory = $true)] [int] $BudgetSeconds,
        [Parameter(Mandatory = $true)] [string] $What
    )
    $giveUpAt = (Get-UtcNow).AddSeconds($BudgetSeconds)
    if ($giveUpAt -gt $script:Deadline) { $giveUpAt = $script:Deadline }
    for ($attempt = 1; ; $attempt++) {
        try { return (& $Action) }
        catch {
            $status = Get-HttpStatusCode -ErrorRecord $_
            $wait = Get-BackoffSeconds -Attempt $attempt
            if (($RetryStatuses -notcontains $status) -or ((Get-UtcNow).AddSeconds($wait) -ge $giveUpAt)) {
                throw
            }
            Write-Log -Level WARN -Message "$What failed ($(Get-HttpFailureText -ErrorRecord $_)), attempt $attempt; retrying in $wait s."
            Wait-Seconds -Seconds $wait
        }
    }
}

function Get-KeyVaultAccessToken {
    Write-Log -Level STEP -Message 'Step 2a: Key Vault token from the instance metadata service (managed identity)'
    # Retried statuses per Microsoft's IMDS token guidance (404 and 410 while IMDS updates, 429,
    # every 5xx, 502 and 504 included; 0 = no response yet):
    # learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token#error-handling
    try {
        $response = Invoke-WithRetry -What 'IMDS token request' -RetryStatuses (@(0, 404, 410, 429) + (500..599)) -BudgetSeconds $script:KeyVaultRetrySeconds -Action {
            Invoke-JsonGet -Uri $script:ImdsTokenUri -Headers @{ Metadata = 'true' }
        }
    }
    catch {
        throw "Could not get a Key Vault token from the instance metadata service ($(Get-HttpFailureText -ErrorRecord $_)): $((Get-InnermostException -Exception $_.Exception).Message) Make sure the VM has a system-assigned managed identity."
    }
    if ($null -eq $response -or -not $response.PSObject.Properties['access_token'] -or -not $response.access_token) {
        throw 'The instance metadata service answered without an access_token. Make sure the VM has a system-assigned managed identity.'
    }
    return [string]$response.access_token
}

function Get-KeyVaultSecretValue {
    # 403 (role assignment not yet effective), 401, 429, 5xx and no response are retried for about
    # 15 minutes; 404 (secret not uploaded) fails at once with the upload command.
    param([Parameter(Mandatory = $true)] $Config, [Parameter(Mandatory = $true)] [string] $Token, [Parameter(Mandatory = $true)] [string] $SecretName)
    $uri = '{0}secrets/{1}?api-version={2}' -f $Config.KeyVaultUri, $SecretName, $script:KeyVaultApiVersion
    $headers = @{ Authorization = "Bearer $Token" }
    $upload = "az keyvault secret set --vault-name $($Config.VaultName) --name $SecretName --file <file holding the key>"
    try {
        $secretResponse = Invoke-WithRetry -What "reading secret '$SecretName'" -RetryStatuses @(0, 401, 403, 429, 500, 502, 503, 504) -BudgetSeconds $script:KeyVaultRetrySeconds -Action {
            Invoke-JsonGet -Uri $uri -Headers $headers
        }
    }
    catch {
        $status = Get-HttpStatusCode -ErrorRecord $_
        if ($status -eq 404) { throw "Secret '$SecretName' was not found in Key Vault '$($Config.VaultName)'. Upload the KMS host key (CSVLK): $upload" }
        if ($status -eq 403) { throw "Reading secret '$SecretName' from Key Vault '$($Config.VaultName)' was still forbidden (HTTP 403) after about $([int]($script:KeyVaultRetrySeconds / 60)) minutes. Give the VM's managed identity the 'Key Vault Secrets User' role on the secret and check the vault firewall admits the VM's subnet." }
        throw "Could not read secret '$SecretName' from Key Vault '$($Config.VaultName)' ($(Get-HttpFailureText -ErrorRecord $_)): $(Protect-ProductKey -Text (Get-InnermostException -Exception $_.Exception).Message) Check that the VM can reach the vault (DNS, outbound HTTPS, TLS 1.2)."
    }
    if ($null -eq $secretResponse -or -not $secretResponse.PSObject.Properties['value'] -or -not $secretResponse.value) {
        throw "Secret '$SecretName' in Key Vault '$($Config.VaultName)' is empty. Upload the KMS host key (CSVLK): $upload"
    }
    return ([string]$secretResponse.value).Trim().ToUpperInvariant()
}

function Get-KmsHostKeys {
    # Reads every key up front: a missing secret fails the run before anything changes.
    param([Parameter(Mandatory = $true)] $Config)
    $token = Get-KeyVaultAccessToken
    Write-Log -Level STEP -Message 'Step 2b: reading KMS host keys from Key Vault'
    $hostKeys = @{}
    $names = @()
    if ($Config.WindowsSecretName) { $names += $Config.WindowsSecretName }
    foreach ($entry in $Config.Office) { $names += $entry.SecretName }
    foreach ($name in ($names | Select-Object -Unique)) {
        Assert-TimeLeft -Step "reading secret '$name'"
        $hostKey = Get-KeyVaultSecretValue -Config $Config -Token $token -SecretName $name
        Test-KmsHostKeyFormat -Key $hostKey -SecretName $name
        $hostKeys[$name] = $hostKey
        Write-Log -Message "secret '$name' holds key $(Get-MaskedKey -Key $hostKey)."
    }
    return $hostKeys
}

# ---------------------------------------------------------------------------------------------
# Step 3: Windows KMS host key
# ---------------------------------------------------------------------------------------------

function Get-WindowsKmsHostProduct {
    foreach ($product in (Get-WindowsKeyedProducts)) {
        if (Test-IsKmsHostProduct -Product $product) { return $product }
    }
    return $null
}

function Restore-WindowsClientKey {
    # Puts the edition's published KMS client key (GVLK) back, so that the VM keeps activating
    # against Azure's KMS after a non-host key replaced its client key.
    param([Parameter(Mandatory = $true)] $OperatingSystem)
    $caption = [string]$OperatingSystem.Caption
    if ($caption -notmatch 'Windows Server (\d{4}) (Standard|Datacenter)') {
        return "no KMS client key is known for '$caption'; install the edition's GVLK from learn.microsoft.com/windows-server/get-started/kms-client-activation-keys"
    }
    $edition = '{0} {1}' -f $Matches[1], $Matches[2]
    if (-not $script:WindowsServerGvlks.ContainsKey($edition)) {
        return "no KMS client key is known for Windows Server $edition; install its GVLK from learn.microsoft.com/windows-server/get-started/kms-client-activation-keys"
    }
    Install-KmsKey -HostKey $script:WindowsServerGvlks[$edition] -Label "Windows Server $edition client key (GVLK)"
    Restart-LicensingServiceNow -Reason 'client key restored'
    return "the Windows Server $edition KMS client key (GVLK) was restored, so the VM activates against Azure again"
}

function Install-WindowsKmsHostKey {
    param([Parameter(Mandatory = $true)] [string] $HostKey, [Parameter(Mandatory = $true)] [string] $SecretName, [Parameter(Mandatory = $true)] $OperatingSystem)
    Write-Log -Level STEP -Message "Step 3: Windows KMS host key $(Get-MaskedKey -Key $HostKey)"
    $last5 = $HostKey.Substring($HostKey.Length - 5)
    $product = Get-WindowsKmsHostProduct
    if ($null -ne $product -and [string]$product.PartialProductKey -eq $last5) {
        Write-Log -Message 'Windows KMS host key already installed; not reinstalling it.'
    }
    else {
        Install-KmsKey -HostKey $HostKey -Label 'Windows'
        $installed = @(Get-WindowsKeyedProducts | Where-Object { [string]$_.PartialProductKey -eq $last5 })
        if ($installed.Count -eq 0) {
            throw "Windows: InstallProductKey succeeded but no Windows product carries the key from secret '$SecretName'. Check that it is a Windows Server KMS host key (CSVLK) for this Windows Server version."
        }
        if (-not (Test-IsKmsHostProduct -Product $installed[0])) {
            $channel = [string]$installed[0].Description
            $restored = Restore-WindowsClientKey -OperatingSystem $OperatingSystem
            throw "Windows: secret '$SecretName' holds a key of channel '$channel', not a KMS host key (CSVLK); $restored. Store the CSVLK from the Microsoft 365 admin center (Billing > Your products > Volume licensing) in the secret."
        }
        Restart-LicensingServiceNow -Reason 'Windows KMS host key installed'
        $product = $installed[0]
    }
    if ([int]$product.LicenseStatus -eq 1) {
        $script:Summary['Windows'] = "KMS host key $(Get-MaskedKey -Key $HostKey), already licensed"
        return
    }
    Invoke-ProductActivation -ActivationId ([string]$product.ID) -Label 'Windows'
    $script:Summary['Windows'] = "KMS host key $(Get-MaskedKey -Key $HostKey), activated"
}

# ---------------------------------------------------------------------------------------------
# Step 4: Office Volume License Packs and Office KMS host keys
# ---------------------------------------------------------------------------------------------

function Stop-ProcessTree {
    # Stops a process and everything it started, children before their parents, so nothing the
    # pack launched (its wizard, an installer) is left waiting in session 0.
    param([Parameter(Mandatory = $true)] [int] $Id)
    # Id 0 (the idle process) is its own parent in Win32_Process: never followed.
    foreach ($child in @(Get-ChildProcessIds -ParentId $Id | Where-Object { $_ -gt 0 -and $_ -ne $Id })) { Stop-ProcessTree -Id $child }
    Stop-ProcessById -Id $Id
}

function Expand-VolumeLicensePack {
    # Extracts the pack's files without running its setup or the Volume Activation Tools wizard,
    # and stops it (with its whole process tree) if it has not finished within $TimeoutSeconds, so
    # no step can wait for a person. Returns the exit code, or -1 on timeout.
    # UNCONFIRMED: Microsoft documents no switches for the Volume License Pack; /extract:<folder>
    # /quiet is the switch pair of Office's self-extracting packages. Whatever the pack does, the
    # caller accepts the result only when the KMS host licence is present afterwards.
    param([string] $Path, [string] $Destination, [int] $TimeoutSeconds)
    $process = Start-PackProcess -Path $Path -ArgumentList @("/extract:$Destination", '/quiet')
    # Reading Handle now keeps the process handle open, so ExitCode can be read after it ends
    # (Process.ExitCode needs the handle; learn.microsoft.com/dotnet/api/system.diagnostics.process.exitcode).
    $null = $process.Handle
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        Stop-ProcessTree -Id $process.Id
        return -1
    }
    # The parameterless WaitForExit also waits for redirected output and lets ExitCode settle
    # (learn.microsoft.com/dotnet/api/system.diagnostics.process.waitforexit).
    $process.WaitForExit()
    $code = $process.ExitCode
    if ($null -eq $code) { return -2 }
    return [int]$code
}

function Select-PackLicenceFolder {
    # The one folder of the extracted pack whose licences fit this host's Windows version. The
    # packs hold one folder of licence files per Windows version and their own installer installs
    # the folder for the running OS only; Microsoft documents neither the layout nor the folder
    # names (UNCONFIRMED, see README "The Volume License Pack: a one-time check"), so: the only
    # folder with licences, else the one folder whose name names this Windows version.
    param([Parameter(Mandatory = $true)] [string] $Root, [Parameter(Mandatory = $true)] [string] $Product)
    $folders = @(Get-ChildItem -LiteralPath $Root -Recurse -Filter '*.xrm-ms' -File | ForEach-Object { $_.DirectoryName } | Sort-Object -Unique)
    if ($folders.Count -le 1) { return $folders }
    $version = [string](Get-OperatingSystem).Version
    $patterns = [ordered]@{
        '^10\.0\.' = '(?i)(win(dows)?[ _-]?1[01]\b|server[ _-]?20(16|19|22|25)|\b10\.0\b)'
        '^6\.3\.' = '(?i)(win(dows)?[ _-]?8\.1|2012[ _-]?r2|\b6\.3\b)'
        '^6\.2\.' = '(?i)(win(dows)?[ _-]?8(?!\.)|2012(?![ _-]?r2)|\b6\.2\b)'
        '^6\.1\.' = '(?i)(win(dows)?[ _-]?7|2008[ _-]?r2|\b6\.1\b)'
    }
    $names = @($folders | ForEach-Object { $_.Substring($Root.Length).TrimStart('\', '/') })
    $matching = @()
    foreach ($key in $patterns.Keys) {
        if ($version -match $key) { $matching = @($folders | Where-Object { $_.Substring($Root.Length).TrimStart('\', '/') -match $patterns[$key] }) }
    }
    if ($matching.Count -ne 1) {
        throw "$Product : the Volume License Pack has licence folders $($names -join ', ') and no licence folder for Windows $(($version -split '\.')[0..1] -join '.') could be chosen. Do the README's one-time check (The Volume License Pack: a one-time check) and report the layout."
    }
    Write-Log -Message ("$Product : licence folder {0} (of {1})" -f $matching[0].Substring($Root.Length).TrimStart('\', '/'), ($names -join ', '))
    return $matching
}

function New-ProtectedFolder {
    # A new folder only SYSTEM and Administrators can write. Its name is unpredictable (see the
    # caller), so nobody can have created it first; it must be new and, once locked, still empty.
    param([Parameter(Mandatory = $true)] [string] $Path)
    if (Test-Path -LiteralPath $Path) { throw "Work folder $Path already exists; it must be new. Delete it, then retry." }
    New-Item -ItemType Directory -Path $Path | Out-Null
    Set-AdministratorsOnlyAcl -Path $Path
    if (@(Get-ChildItem -LiteralPath $Path -Force).Count -ne 0) { throw "Work folder $Path gained files before it was locked down; not using it. Retry, and look for who writes there." }
    return $Path
}

function Save-OfficeVolumeLicensePack {
    # Downloads the pack and refuses it unless its SHA-256 matches the pinned value and its
    # Authenticode signature (when present) is Microsoft's.
    param([Parameter(Mandatory = $true)] $Entry, [Parameter(Mandatory = $true)] [string] $WorkFolder)
    $path = Join-Path $WorkFolder "$($Entry.Product)-volume-license-pack.exe"
    try {
        Invoke-WithRetry -What "downloading the $($Entry.Product) pack" -RetryStatuses @(0, 429, 500, 502, 503, 504) -BudgetSeconds 300 -Action {
            Save-WebFile -Uri $Entry.PackUri -OutFile $path
        } | Out-Null
    }
    catch {
        throw "Could not download the $($Entry.Product) Volume License Pack from $($Entry.PackUri) ($(Get-HttpFailureText -ErrorRecord $_)): $((Get-InnermostException -Exception $_.Exception).Message) Check the VM's outbound access to download.microsoft.com and the packUri."
    }
    $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $path).Hash.ToUpperInvariant()
    if ($actual -ne $Entry.PackSha256) {
        Remove-Item -LiteralPath $path -Force
        throw "SHA-256 mismatch for the $($Entry.Product) Volume License Pack from $($Entry.PackUri): expected $($Entry.PackSha256), got $actual. The file was deleted unused. If Microsoft published a new pack, verify it and update its sha256 in the environment file."
    }
    $signature = Get-PackSignature -Path $path
    if ([string]$signature.Status -eq 'NotSigned') {
        Write-Log -Level WARN -Message 'the pack is not Authenticode-signed; relying on the SHA-256 pin.'
    }
    elseif ([string]$signature.Status -ne 'Valid' -or $null -eq $signature.SignerCertificate -or [string]$signature.SignerCertificate.Subject -notmatch 'O=Microsoft Corporation') {
        Remove-Item -LiteralPath $path -Force
        throw "The $($Entry.Product) Volume License Pack's Authenticode signature is $($signature.Status), not Microsoft's. The file was deleted unused."
    }
    Write-Log -Message "SHA-256 verified: $actual"
    return $path
}

function Install-OfficeVolumeLicensePack {
    # The pack is extracted, never run as an installer: Microsoft documents that running it opens
    # the Volume Activation Tools wizard, which would wait for a person in the Run Command's session
    # 0. Its licence files (*.xrm-ms) are installed with SoftwareLicensingService.InstallLicense,
    # which is what slmgr /ilc does:
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/installlicense-softwarelicensingservice
    # The outcome is accepted only when the KMS host licence of this Activation ID is present.
    param([Parameter(Mandatory = $true)] $Entry, [Parameter(Mandatory = $true)] [string] $WorkFolder)
    if ($null -ne (Get-LicensingProduct -ActivationId $Entry.ActivationId)) {
        Write-Log -Message "$($Entry.Product): KMS host licence $($Entry.ActivationId) already present; not installing the pack."
        return 'already present'
    }
    $extractFolder = Join-Path $WorkFolder "$($Entry.Product)-extracted"
    $packPath = $null
    try {
        $packPath = Save-OfficeVolumeLicensePack -Entry $Entry -WorkFolder $WorkFolder
        Assert-TimeLeft -Step "$($Entry.Product) pack"
        New-ProtectedFolder -Path $extractFolder | Out-Null
        $seconds = $script:PackExtractSeconds
        $left = [int]($script:Deadline - (Get-UtcNow)).TotalSeconds
        if ($left -lt $seconds) { $seconds = $left }
        $exitCode = Expand-VolumeLicensePack -Path $packPath -Destination $extractFolder -TimeoutSeconds $seconds
        if ($exitCode -eq -1) {
            # The pack may have installed its licences itself before it hung on a window.
            if ($null -ne (Get-LicensingProduct -ActivationId $Entry.ActivationId)) {
                Write-Log -Level WARN -Message "$($Entry.Product): extracting the Volume License Pack did not finish within $seconds s and was stopped, but the KMS host licence $($Entry.ActivationId) is present; going on."
                return 'installed by the pack itself (it was stopped after the timeout)'
            }
            throw "$($Entry.Product): extracting the Volume License Pack did not finish within $seconds s and was stopped, and the KMS host licence $($Entry.ActivationId) is not present. Do the README's one-time check of the pack on a test host."
        }
        $licenceFiles = @()
        foreach ($folder in @(Select-PackLicenceFolder -Root $extractFolder -Product $Entry.Product)) {
            $licenceFiles += @(Get-ChildItem -LiteralPath $folder -Filter '*.xrm-ms' -File | Sort-Object -Property FullName)
        }
        if ($licenceFiles.Count -eq 0) {
            throw "$($Entry.Product): the Volume License Pack yielded no licence files (*.xrm-ms; extraction exit code $exitCode). Check that packUri is the Office Volume License Pack of this Office version."
        }
        $service = Get-SlService
        foreach ($file in $licenceFiles) {
            $licence = [IO.File]::ReadAllText($file.FullName)
            Invoke-LicensingMethod -InputObject $service -MethodName InstallLicense -Arguments @{ License = $licence } -Label "$($Entry.Product) licence $($file.FullName.Substring($extractFolder.Length).TrimStart('\', '/'))"
        }
        Invoke-LicensingMethod -InputObject $service -MethodName RefreshLicenseStatus -Label $Entry.Product
        $script:RestartPending = $true
        if ($null -eq (Get-LicensingProduct -ActivationId $Entry.ActivationId)) {
            throw "$($Entry.Product): $($licenceFiles.Count) licence files from the pack were installed, but the KMS host licence $($Entry.ActivationId) is not among them. Check that packUri is the Volume License Pack of $($Entry.Product)."
        }
        return "installed ($($licenceFiles.Count) licence files)"
    }
    finally {
        # The pack is deleted after use, whatever happened.
        if ($packPath -and (Test-Path -LiteralPath $packPath)) { Remove-Item -LiteralPath $packPath -Force }
        if (Test-Path -LiteralPath $extractFolder) { Remove-Item -LiteralPath $extractFolder -Recurse -Force }
    }
}

function Install-OfficeKmsHostKey {
    param([Parameter(Mandatory = $true)] $Entry, [Parameter(Mandatory = $true)] [string] $HostKey)
    $last5 = $HostKey.Substring($HostKey.Length - 5)
    $product = Get-LicensingProduct -ActivationId $Entry.ActivationId
    if ($null -eq $product) {
        throw "$($Entry.Product): the KMS host licence $($Entry.ActivationId) is not installed, so its key cannot be. Check that packUri is the Volume License Pack of $($Entry.Product)."
    }
    if ([string]$product.PartialProductKey -eq $last5) {
        Write-Log -Message "$($Entry.Product): KMS host key already installed; not reinstalling it."
    }
    else {
        # InstallProductKey installs the key for whichever application it belongs to (here Office).
        Install-KmsKey -HostKey $HostKey -Label $Entry.Product
        $product = Get-LicensingProduct -ActivationId $Entry.ActivationId
        if ($null -eq $product -or [string]$product.PartialProductKey -ne $last5) {
            throw "$($Entry.Product): InstallProductKey succeeded but the key is not attached to KMS host licence $($Entry.ActivationId). Check that secret '$($Entry.SecretName)' holds the Office KMS host key of $($Entry.Product)."
        }
        Restart-LicensingServiceNow -Reason "$($Entry.Product) KMS host key installed"
    }
    if ([int]$product.LicenseStatus -eq 1) { return "KMS host key $(Get-MaskedKey -Key $HostKey), already licensed" }
    Invoke-ProductActivation -ActivationId $Entry.ActivationId -Label $Entry.Product
    return "KMS host key $(Get-MaskedKey -Key $HostKey), activated"
}

function Install-OfficeKmsHosts {
    param([Parameter(Mandatory = $true)] $Config, [Parameter(Mandatory = $true)] [hashtable] $HostKeys, [Parameter(Mandatory = $true)] [string] $WorkFolder)
    Write-Log -Level STEP -Message "Step 4: Office KMS host ($($Config.Office.Count) version(s), oldest first)"
    New-ProtectedFolder -Path $WorkFolder | Out-Null
    try {
        foreach ($entry in $Config.Office) {
            Assert-TimeLeft -Step $entry.Product
            $packState = Install-OfficeVolumeLicensePack -Entry $entry -WorkFolder $WorkFolder
            if ($script:RestartPending) { Restart-LicensingServiceNow -Reason "$($entry.Product) licences installed" }
            $keyState = Install-OfficeKmsHostKey -Entry $entry -HostKey $HostKeys[$entry.SecretName]
            $script:Summary["Office $($entry.Product)"] = "pack $packState; $keyState"
        }
    }
    finally {
        if (Test-Path -LiteralPath $WorkFolder) { Remove-Item -LiteralPath $WorkFolder -Recurse -Force }
    }
}

# ---------------------------------------------------------------------------------------------
# Step 5: port, firewall, DNS publishing
# ---------------------------------------------------------------------------------------------

function Set-KmsListeningPort {
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/setkeymanagementservicelisteningport-softwarelicensingservice
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message "Step 5a: KMS listening port $($Config.Port)"
    $effective = Get-EffectiveKmsPort
    if ($effective -eq $Config.Port) {
        $script:Summary['Port'] = "$($Config.Port) (unchanged)"
        return
    }
    Invoke-LicensingMethod -InputObject (Get-SlService) -MethodName SetKeyManagementServiceListeningPort -Arguments @{ PortNumber = [uint32]$Config.Port } -Label 'KMS port'
    $readBack = Get-EffectiveKmsPort
    if ($readBack -ne $Config.Port) { throw "KMS port: SetKeyManagementServiceListeningPort returned success but the service reports port $readBack, not $($Config.Port)." }
    $script:RestartPending = $true
    $script:Summary['Port'] = "$($Config.Port) (changed from $effective)"
}

function Set-KmsFirewall {
    # Every built-in KMS rule is scoped to the client ranges (kms-create-host: the rule exists but
    # is disabled); SPPSVC-In-TCP is enabled on all profiles, because an Azure NIC is usually in
    # the Public profile. When the KMS port differs from the built-in rule's, a rule of our own
    # admits that port from the same ranges. Every change is read back.
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message "Step 5b: firewall: TCP $($Config.Port) from $($Config.ClientCidrs -join ', ') only"
    $builtInPort = ''
    foreach ($name in $script:BuiltInFirewallRules) {
        $rule = Get-FirewallRule -Name $name
        if ($null -eq $rule) {
            if ($name -eq 'SPPSVC-In-TCP') { throw "Firewall rule '$name' not found. Check that the VolumeActivation role installed (step 1) and that the image is Windows Server." }
            Write-Log -Message "firewall rule '$name' does not exist on this image."
            continue
        }
        $enable = $rule.Enabled
        if ($name -eq 'SPPSVC-In-TCP') { $enable = $true; $builtInPort = [string]($rule.LocalPort -join ',') }
        if ($enable -ne $rule.Enabled -or -not (Test-SameAddresses -Actual $rule.RemoteAddress -Expected $Config.ClientCidrs)) {
            Set-FirewallRule -Name $name -RemoteAddress $Config.ClientCidrs -Enabled $enable
        }
        $after = Get-FirewallRule -Name $name
        if (-not (Test-SameAddresses -Actual $after.RemoteAddress -Expected $Config.ClientCidrs)) {
            throw "Firewall rule '$name' still admits '$($after.RemoteAddress -join ', ')' after scoping it to the client ranges; scope it by hand (Set-NetFirewallRule -Name $name -RemoteAddress ...)."
        }
    }
    $own = Get-FirewallRule -Name $script:OwnFirewallRuleName
    if ($builtInPort -eq [string]$Config.Port) {
        if ($null -ne $own) { Remove-OwnFirewallRule -Name $script:OwnFirewallRuleName }
        $script:Summary['Firewall'] = "$($script:BuiltInFirewallRules -join ' and ') scoped to $($Config.ClientCidrs -join ', ')"
        return
    }
    if ($null -ne $own) { Remove-OwnFirewallRule -Name $script:OwnFirewallRuleName }
    New-OwnFirewallRule -Name $script:OwnFirewallRuleName -Port $Config.Port -RemoteAddress $Config.ClientCidrs
    $own = Get-FirewallRule -Name $script:OwnFirewallRuleName
    if ($null -eq $own -or ($own.LocalPort -join ',') -ne [string]$Config.Port -or -not (Test-SameAddresses -Actual $own.RemoteAddress -Expected $Config.ClientCidrs)) {
        throw "Firewall rule '$($script:OwnFirewallRuleName)' for TCP $($Config.Port) could not be created as asked."
    }
    $script:Summary['Firewall'] = "built-in rules scoped to $($Config.ClientCidrs -join ', '); $($script:OwnFirewallRuleName) admits TCP $($Config.Port)"
}

function Set-KmsDnsPublishing {
    # With Terraform managing the _vlmcs._tcp record the host must not publish it itself.
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/disablekeymanagementservicednspublishing-softwarelicensingservice
    param([Parameter(Mandatory = $true)] $Config)
    $wanted = -not $Config.DisableDnsPublishing
    Write-Log -Level STEP -Message "Step 5c: DNS publishing on: $wanted"
    if ([bool](Get-SlService).KeyManagementServiceDnsPublishing -ne $wanted) {
        Invoke-LicensingMethod -InputObject (Get-SlService) -MethodName DisableKeyManagementServiceDnsPublishing -Arguments @{ DisablePublishing = [bool]$Config.DisableDnsPublishing } -Label 'DNS publishing'
        if ([bool](Get-SlService).KeyManagementServiceDnsPublishing -ne $wanted) { throw "DNS publishing: the service still reports publishing $(-not $wanted) after DisableKeyManagementServiceDnsPublishing." }
        $script:RestartPending = $true
    }
    $script:Summary['DNS publishing'] = "$wanted"
}

# ---------------------------------------------------------------------------------------------
# Step 6: verification
# ---------------------------------------------------------------------------------------------

function Confirm-KmsHost {
    # The post-deploy checks of Test-KmsHost.ps1 (the shared block), run as the last step: any
    # failing check fails the bootstrap with its detail.
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message 'Step 6: verifying the KMS host (the checks of Test-KmsHost.ps1)'
    $expected = @()
    if ($Config.WindowsSecretName) { $expected += [pscustomobject]@{ Label = 'Windows'; ActivationId = '' } }
    foreach ($entry in $Config.Office) { $expected += [pscustomobject]@{ Label = $entry.Product; ActivationId = $entry.ActivationId } }
    $results = @(Get-KmsHostCheckResults -Port $Config.Port -ClientCidrs $Config.ClientCidrs -DnsPublishing (-not $Config.DisableDnsPublishing) -ExpectedProducts $expected)
    foreach ($result in $results) { Write-Log -Message ('check {0}: {1} ({2})' -f $result.Check, $result.Status, $result.Detail) }
    $failed = @($results | Where-Object { $_.Status -ne 'PASS' })
    if ($failed.Count -gt 0) { throw ('Verification failed: ' + (@($failed | ForEach-Object { '{0} : {1}' -f $_.Check, $_.Detail }) -join '; ')) }
    $script:Summary['Verification'] = "$($results.Count) checks passed, KMS listening on $($Config.Port), current count $((Get-SlService).KeyManagementServiceCurrentCount)"
}

function Get-SummaryText {
    return (@($script:Summary.Keys | ForEach-Object { '{0}: {1}' -f $_, $script:Summary[$_] }) -join '; ')
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

function Invoke-KmsHostBootstrap {
    # The whole bootstrap. Returns the exit code: 0 on success, 1 on any failure (which fails the
    # Run Command and therefore terraform apply, with the advice on stderr).
    param(
        [AllowEmptyString()] [string] $KeyVaultUri = '',
        [AllowEmptyString()] [string] $WindowsKeySecretName = '',
        [AllowEmptyString()] [string] $OfficeProductsBase64 = '',
        [AllowEmptyString()] [string] $KmsPort = '1688',
        [AllowEmptyString()] [string] $ClientCidrs = '',
        [AllowEmptyString()] [string] $DisableDnsPublishing = 'true',
        [string] $LogPath = 'C:\ProgramData\AzureKmsHost\bootstrap.log',
        [AllowEmptyString()] [string] $Revision = ''
    )
    $script:Summary = [ordered]@{}
    $script:RestartPending = $false
    $script:Deadline = (Get-UtcNow).AddMinutes($script:TotalBudgetMinutes)
    try {
        Initialize-Log -Path $LogPath
        if ($Revision) { Write-Log -Message "bootstrap revision $Revision" }
        $config = ConvertTo-BootstrapConfig -KeyVaultUri $KeyVaultUri -WindowsKeySecretName $WindowsKeySecretName -OfficeProductsBase64 $OfficeProductsBase64 -KmsPort $KmsPort -ClientCidrs $ClientCidrs -DisableDnsPublishing $DisableDnsPublishing
        $os = Assert-Prerequisites -Config $config
        Enable-Tls12
        Install-VolumeActivationRole
        $hostKeys = Get-KmsHostKeys -Config $config
        if ($config.WindowsSecretName) {
            Install-WindowsKmsHostKey -HostKey $hostKeys[$config.WindowsSecretName] -SecretName $config.WindowsSecretName -OperatingSystem $os
        }
        else {
            $script:Summary['Windows'] = 'not a Windows KMS host (Windows stays activated by Azure)'
        }
        if ($config.Office.Count -gt 0) {
            # A fresh folder with an unpredictable name, so nobody can prepare it beforehand.
            $workFolder = Join-Path (Get-WorkRoot) ('AzureKmsHost-' + [guid]::NewGuid().ToString('N'))
            Install-OfficeKmsHosts -Config $config -HostKeys $hostKeys -WorkFolder $workFolder
        }
        Assert-TimeLeft -Step 'port, firewall and DNS'
        Set-KmsListeningPort -Config $config
        Set-KmsFirewall -Config $config
        Set-KmsDnsPublishing -Config $config
        if ($script:RestartPending) { Restart-LicensingServiceNow -Reason 'KMS configuration changed' }
        Confirm-KmsHost -Config $config
        $summary = Get-SummaryText
        Write-Log -Level STEP -Message "SUCCESS: $summary"
        Write-KmsBootstrapEvent -Succeeded $true -Message "KMS host bootstrap succeeded. $summary"
        return 0
    }
    catch {
        $advice = "$(Protect-ProductKey -Text $_.Exception.Message) $($script:RetryAdvice)"
        Write-Log -Level ERROR -Message "FAILED: $advice"
        [Console]::Error.WriteLine("Install-KmsHost.ps1 FAILED: $advice")
        Write-KmsBootstrapEvent -Succeeded $false -Message "KMS host bootstrap failed. $advice"
        return 1
    }
}

# Dot-sourcing (the Pester tests) only defines the functions; running the script bootstraps.
if ($MyInvocation.InvocationName -ne '.') {
    # The last value is the exit code, even if a step ever leaked output into the pipeline.
    exit @(Invoke-KmsHostBootstrap -KeyVaultUri $KeyVaultUri -WindowsKeySecretName $WindowsKeySecretName -OfficeProductsBase64 $OfficeProductsBase64 -KmsPort $KmsPort -ClientCidrs $ClientCidrs -DisableDnsPublishing $DisableDnsPublishing -LogPath $LogPath -Revision $Revision)[-1]
}
