<#
.SYNOPSIS
    Read-only post-deploy check of a KMS host built by Install-KmsHost.ps1.

.DESCRIPTION
    Changes nothing. Checks: the licence state of every KMS host product (licensed, KMS enabled),
    the KMS listening port, the built-in SPPSVC-In-TCP and SPPSVC-In-TCP-NoScope firewall rules and
    ours (AzureKmsHost-KMS-In-TCP) admitting only the client ranges, DNS publishing off, the
    AzureKmsHost event source, and the outcome of the last bootstrap (event 1000 or 1001).
    The checks are the very ones the bootstrap runs as its final verification (the shared block
    below). Prints one object per check, then one line "VERDICT: PASS ..." or "VERDICT: FAIL ...";
    exit code 0 when every check passes, 1 otherwise.

    Runs under Windows PowerShell 5.1 as SYSTEM or an administrator, e.g.
      az vm run-command invoke -g <rg> -n <vm> --command-id RunPowerShellScript --scripts @Test-KmsHost.ps1
      az vm run-command invoke ... --scripts @Test-KmsHost.ps1 --parameters "ClientCidrs=10.0.0.0/8,192.168.1.0/24" "Port=1688"
    or as a managed Run Command (azurerm_virtual_machine_run_command) with the same parameters.

.PARAMETER Port
    The KMS port the host must listen on (default 1688).
.PARAMETER ClientCidrs
    Comma-separated client ranges the firewall rules must admit exactly. Empty: any list of
    addresses passes, but never a keyword such as Any or LocalSubnet.
.PARAMETER DnsPublishing
    'false' (default): the host must not publish its own _vlmcs SRV record; 'true': it must.
#>
[CmdletBinding()]
param(
    [string] $Port = '1688',
    [string] $ClientCidrs = '',
    [string] $DnsPublishing = 'false'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$script:ProductProperties = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseStatus', 'LicenseStatusReason', 'IsKeyManagementServiceMachine')

# ---------------------------------------------------------------------------------------------
# Seams: the only places that touch Windows. Tests replace them.
# ---------------------------------------------------------------------------------------------

function Get-SlService { return Get-CimInstance -ClassName SoftwareLicensingService }
function Get-SlProduct { param([string] $Filter) return @(Get-CimInstance -ClassName SoftwareLicensingProduct -Filter $Filter -Property $script:ProductProperties) }
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
# Main
# ---------------------------------------------------------------------------------------------

function Invoke-KmsHostVerification {
    # Writes one object per check and the verdict line; returns nothing. $script:VerificationFailed
    # tells the caller the outcome (the exit code).
    param([string] $Port = '1688', [AllowEmptyString()] [string] $ClientCidrs = '', [string] $DnsPublishing = 'false')
    $script:VerificationFailed = $true
    $portNumber = 0
    if (-not [int]::TryParse($Port.Trim(), [ref]$portNumber) -or $portNumber -lt 1 -or $portNumber -gt 65535) {
        Write-Output "VERDICT: FAIL: parameter Port '$Port' is not a TCP port (1-65535)."
        return
    }
    $dns = $DnsPublishing.Trim().ToLowerInvariant()
    if ($dns -ne 'true' -and $dns -ne 'false') {
        Write-Output "VERDICT: FAIL: parameter DnsPublishing '$DnsPublishing' must be true or false."
        return
    }
    $cidrs = @($ClientCidrs -split '[,\s]+' | Where-Object { $_ -ne '' })
    try {
        $results = @(Get-KmsHostCheckResults -Port $portNumber -ClientCidrs $cidrs -DnsPublishing ($dns -eq 'true') -IncludeBootstrapRecord)
    }
    catch {
        Write-Output "VERDICT: FAIL: the checks could not run: $($_.Exception.Message) Run as an administrator (the Run Command runs as SYSTEM) on the KMS host."
        return
    }
    $results | Format-Table -Property Check, Status, Detail -AutoSize -Wrap | Out-String -Width 200 | Write-Output
    $failed = @($results | Where-Object { $_.Status -ne 'PASS' })
    if ($failed.Count -eq 0) {
        $script:VerificationFailed = $false
        Write-Output "VERDICT: PASS ($($results.Count) checks)"
        return
    }
    Write-Output "VERDICT: FAIL ($($failed.Count) of $($results.Count) checks): $(($failed | ForEach-Object { $_.Check }) -join ', ')"
}

# Dot-sourcing (the Pester tests) only defines the functions; running the script checks.
if ($MyInvocation.InvocationName -ne '.') {
    Invoke-KmsHostVerification -Port $Port -ClientCidrs $ClientCidrs -DnsPublishing $DnsPublishing
    if ($script:VerificationFailed) { exit 1 }
    exit 0
}
