<#
.SYNOPSIS
    Bootstraps a legitimate Microsoft KMS volume-activation host on an Azure Windows Server VM.

.DESCRIPTION
    Delivered by an Azure managed Run Command (azurerm_virtual_machine_run_command). It runs as
    SYSTEM and receives every parameter as a named string, so the script validates and converts
    them itself. Steps, each in its own function:

      1. install the Volume Activation Services role (VolumeActivation) with its management tools;
      2. get a Key Vault token from the VM's managed identity (IMDS) and read the KMS host keys
         (CSVLKs) from Key Vault;
      3. install and activate the Windows KMS host key (optional);
      4. per Office version: download the Office Volume License Pack, pin it by SHA-256, install
         it, then install and activate the Office KMS host key;
      5. set the KMS listening port, open the firewall to the client ranges only, switch DNS
         publishing on or off, restart sppsvc when something changed;
      6. verify that KMS is enabled and listening, and write a summary.

    Every step is idempotent so that re-running the Run Command (for example after uploading a
    missing secret) converges instead of reinstalling keys.

    Secrets: a KMS host key (CSVLK) is a customer secret. It only ever lives in a variable that is
    handed to the WMI method SoftwareLicensingService.InstallProductKey (see Install-ProductKey);
    it is never put on a process command line (so never given to slmgr.vbs), never written to
    the log or to stdout, and everything that is logged passes through Protect-ProductKey, which
    masks any 5x5 product key it finds. Start-Transcript is deliberately not used: it would
    record the key.

    Compatible with Windows PowerShell 5.1 (the PowerShell that ships with Windows Server).

.NOTES
    Facts and sources: /work/shared/reference/kms-facts.md (Microsoft Learn: kms-create-host,
    activation-slmgr-vbs-options, configure-a-kms-host-computer-for-office,
    tools-to-manage-volume-activation-of-office).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)] [string] $KeyVaultUri,
    [string] $WindowsKeySecretName = '',
    [string] $OfficeProductsJson = '[]',
    [string] $KmsPort = '1688',
    [string] $ClientCidrs = '',
    [string] $DisableDnsPublishing = 'true',
    [string] $LogPath = 'C:\ProgramData\AzureKmsHost\bootstrap.log',
    # Not used by any step: Terraform passes kms.bootstrapRevision here, so bumping it changes the
    # Run Command and re-runs this script in place (after a key rotation), which also works where
    # a delete lock forbids replacing the Run Command.
    [string] $Revision = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# Invoke-WebRequest in Windows PowerShell 5.1 renders a progress bar per received chunk, which
# makes large downloads many times slower and adds noise to the Run Command output.
$ProgressPreference = 'SilentlyContinue'

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------

# Application ID of Windows in the Software Protection Platform (SoftwareLicensingProduct).
$script:WindowsApplicationId = '55c92734-d682-4d71-983e-d6ec3f16059f'

# Application ID under which Office 2013 and later register their licences with the Windows
# Software Protection Platform. The Office checks below look products up by Activation ID, which
# is unique, and only compare against this value to log a warning: one Microsoft sample /dlv
# output shows a different value, so it must not be a hard filter.
$script:OfficeApplicationId = '0ff1ce15-a989-479d-af46-f275c6370663'

# Office KMS host Activation IDs (for slmgr /ato, /dlv). Source: Microsoft Learn,
# "Configure a KMS host computer for Office" and "Tools to manage volume activation of Office"
# (2025 versions). LTSC 2024 uses F3D89BBF-...: older documentation listed a different GUID,
# which is the Office LTSC ProPlus 2024 KMS *client* SKU and cannot activate a KMS host.
$script:OfficeKmsHostActivationIds = [ordered]@{
    'office-ltsc-2024' = 'F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F'
    'office-ltsc-2021' = '47F3B983-7C53-4D45-ABC6-BCD91E2DD90A'
    'office-2019'      = '70512334-47B4-44DB-A233-BE5EA33B914C'
    'office-2016'      = '98EBFE73-2084-4C97-932C-C0CD1643BEA7'
}

$script:DefaultKmsPort = 1688
$script:FirewallRuleName = 'SPPSVC-In-TCP'
# Our own rule, only created when the built-in rule's port cannot be changed (see Set-KmsFirewall).
$script:OwnFirewallRuleName = 'AzureKmsHost-KMS-In-TCP'
$script:ImdsTokenUri = 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net'
$script:KeyVaultApiVersion = '7.4'
$script:MaxAttempts = 10
$script:MaxBackoffSeconds = 60
# How long the Volume License Pack may run before we stop waiting (see Install-OfficeVolumeLicensePack).
$script:PackTimeoutSeconds = 600

# A 5x5 product key. Used only to *mask* keys; the script itself contains no key.
$script:ProductKeyPattern = '(?i)\b[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-([A-Z0-9]{5})\b'

# SoftwareLicensingProduct properties the checks read. Asking only for these keeps the WMI query
# fast (the class is slow to enumerate in full).
$script:ProductProperties = @('ID', 'ApplicationId', 'Name', 'Description', 'PartialProductKey', 'LicenseStatus', 'IsKeyManagementServiceMachine')

# What a failed key installation or activation means and what to do, by HRESULT. Sources:
# Microsoft Learn "Resolve Windows activation error codes" (activation-error-codes) and the
# return codes of SLInstallProofOfPurchase (slpublic.h), the API behind InstallProductKey.
# Static text only: a hint never contains the key.
$script:LicensingErrorHints = [ordered]@{
    '0xC004F050' = 'The product key is invalid: a typo, a beta key, or the wrong key type (a KMS client setup key (GVLK), a MAK, or a Windows client KMS key on Windows Server). Store the KMS host key (CSVLK) from the Microsoft 365 admin center (Billing > Your products > Volume licensing) in the secret, then re-run.'
    '0xC004F010' = 'The product key is not valid. Store the KMS host key (CSVLK) from the Microsoft 365 admin center (Billing > Your products > Volume licensing) in the secret, then re-run.'
    '0xC004F015' = 'The licence of the product this key belongs to is not installed: for Office, the Volume License Pack of that Office version is missing; for Windows, the CSVLK does not fit this Windows Server version (kms-activation-planning lists which CSVLK runs on which host OS). Fix the key or the pack, then re-run.'
    '0xC004F069' = 'No product on this machine matches the key: it belongs to another product, edition or version (for example an Office key for a different version, or a CSVLK group this Windows Server does not accept). Check the key, then re-run.'
    '0xC004F061' = 'This key can only be used for an upgrade; it is not a KMS host key. Store the CSVLK in the secret, then re-run.'
    '0xC004C008' = 'The KMS host key cannot be used: it is over its activation limit (a CSVLK activates up to 6 KMS hosts, each up to 10 times). Ask the Microsoft Activation Center to raise the limit, or use another CSVLK from your agreement, then re-run.'
    '0x80070005' = 'Access denied: the Software Licensing Service needs administrative rights. Run the script as SYSTEM (the Run Command default) or elevated, then re-run.'
    '0xC004F025' = 'The action needs administrative rights. Run the script as SYSTEM (the Run Command default) or elevated, then re-run.'
    '0x80070057' = 'The Software Licensing Service rejected the argument. Check that the secret holds exactly one 5x5 product key and nothing else, then re-run.'
}
$script:LicensingErrorLookup = "Look the error code up in 'Resolve Windows activation error codes' (learn.microsoft.com/windows-server/get-started/activation-error-codes), fix the cause, then re-run the Run Command."

# State collected for the final summary.
$script:Summary = [ordered]@{}
$script:SppConfigChanged = $false
$script:LogFile = $null

# ---------------------------------------------------------------------------------------------
# Logging and helpers
# ---------------------------------------------------------------------------------------------

function Protect-ProductKey {
    # Replaces every 5x5 product key in $Text with *****-*****-*****-*****-LAST5. slmgr output
    # normally never contains the full key, but this is the last line of defence before anything
    # reaches the log file or the Run Command output.
    param([AllowEmptyString()] [AllowNull()] [string] $Text)
    if ([string]::IsNullOrEmpty($Text)) { return '' }
    return [regex]::Replace($Text, $script:ProductKeyPattern, '*****-*****-*****-*****-$1')
}

function Get-MaskedKey {
    # The only representation of a key that may be logged.
    param([Parameter(Mandatory = $true)] [string] $Key)
    if ($Key.Length -lt 5) { return '*****' }
    return '*****-*****-*****-*****-' + $Key.Substring($Key.Length - 5)
}

function Write-Log {
    # One line per event, ISO 8601 UTC timestamp, to the log file and to stdout. Uses
    # [Console]::Out rather than Write-Output so that log lines never leak into a function's
    # return value.
    param(
        [Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Message,
        [ValidateSet('INFO', 'WARN', 'ERROR', 'STEP')] [string] $Level = 'INFO'
    )
    $timestamp = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ')
    $safe = Protect-ProductKey -Text $Message
    $line = '{0} [{1}] {2}' -f $timestamp, $Level, $safe
    [Console]::Out.WriteLine($line)
    if ($script:LogFile) {
        try {
            Add-Content -LiteralPath $script:LogFile -Value $line -Encoding UTF8
        }
        catch {
            # Losing a log line must not abort the bootstrap; stdout still has it.
            [Console]::Out.WriteLine("$timestamp [WARN] could not write to the log file: $($_.Exception.Message)")
        }
    }
}

function Initialize-Log {
    param([Parameter(Mandatory = $true)] [string] $Path)
    $folder = Split-Path -Path $Path -Parent
    if ($folder -and -not (Test-Path -LiteralPath $folder)) {
        New-Item -ItemType Directory -Path $folder -Force | Out-Null
    }
    $script:LogFile = $Path
    Write-Log -Level STEP -Message ('Install-KmsHost.ps1 starting (PowerShell {0}, computer {1})' -f $PSVersionTable.PSVersion, $env:COMPUTERNAME)
}

function Get-BackoffSeconds {
    # Exponential backoff 2, 4, 8, ... capped, so ten attempts wait about five minutes in total:
    # long enough for a new managed identity and its role assignment to propagate.
    param([Parameter(Mandatory = $true)] [int] $Attempt)
    $seconds = [math]::Pow(2, $Attempt)
    if ($seconds -gt $script:MaxBackoffSeconds) { $seconds = $script:MaxBackoffSeconds }
    return [int]$seconds
}

function Get-HttpStatusCode {
    # Status code of a failed Invoke-RestMethod / Invoke-WebRequest call in Windows PowerShell
    # 5.1 (WebException.Response), or 0 when there was no HTTP response (DNS, TCP, timeout).
    param([Parameter(Mandatory = $true)] $ErrorRecord)
    $exception = $ErrorRecord.Exception
    if ($null -ne $exception -and $exception.PSObject.Properties['Response']) {
        $response = $exception.Response
        if ($null -ne $response -and $response.PSObject.Properties['StatusCode']) {
            return [int]$response.StatusCode
        }
    }
    return 0
}

function Get-VaultName {
    param([Parameter(Mandatory = $true)] [string] $VaultUri)
    return ([Uri]$VaultUri).Host.Split('.')[0]
}

function Invoke-Slmgr {
    # Runs slmgr.vbs through cscript and returns its output lines (masked). $Arguments end up on
    # the cscript.exe command line, which process auditing records, so they must never hold a
    # product key: keys are installed with Install-ProductKey (WMI) instead. As a second line of
    # defence $Arguments are still never logged: callers pass a $Display text that describes the call.
    param(
        [Parameter(Mandatory = $true)] [string[]] $Arguments,
        [Parameter(Mandatory = $true)] [string] $Display,
        [switch] $AllowFailure
    )
    $cscript = Join-Path $env:SystemRoot 'System32\cscript.exe'
    $slmgr = Join-Path $env:SystemRoot 'System32\slmgr.vbs'
    Write-Log -Message "running: slmgr $Display"

    # Windows PowerShell 5.1 turns a native command's stderr into terminating errors when
    # $ErrorActionPreference is Stop; we want the text and the exit code instead.
    $previousPreference = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $raw = & $cscript //nologo $slmgr @Arguments 2>&1
        $exitCode = $LASTEXITCODE
    }
    finally {
        $ErrorActionPreference = $previousPreference
    }

    $lines = @()
    foreach ($item in @($raw)) {
        $text = Protect-ProductKey -Text ([string]$item)
        if ($text.Trim().Length -gt 0) { $lines += $text }
    }
    foreach ($line in $lines) { Write-Log -Message "  slmgr> $line" }

    # slmgr.vbs reports failures as "Error: 0xC004...." and does not always set an exit code.
    $reportedError = @($lines | Where-Object { $_ -match '(?i)error:\s*0x[0-9a-f]{8}' })
    if (-not $AllowFailure -and (($exitCode -ne 0) -or ($reportedError.Count -gt 0))) {
        $detail = ''
        $hint = $script:LicensingErrorLookup
        if ($reportedError.Count -gt 0) {
            $detail = $reportedError[0]
            if ($detail -match '(?i)0x[0-9a-f]{8}') { $hint = Get-LicensingErrorHint -Code $Matches[0] }
        }
        throw "slmgr $Display failed (exit code $exitCode). $detail $hint"
    }
    return , $lines
}

function Get-LicensingProduct {
    # SoftwareLicensingProduct for one Activation ID (the WMI property ID), or $null.
    param([Parameter(Mandatory = $true)] [string] $ActivationId)
    $id = $ActivationId.ToLowerInvariant()
    $found = @(Get-CimInstance -ClassName SoftwareLicensingProduct -Filter "ID = '$id'" -Property $script:ProductProperties)
    if ($found.Count -eq 0) { return $null }
    return $found[0]
}

function Test-IsKmsHostProduct {
    # A KMS host product's channel is VOLUME_KMS (Office) or VOLUME_KMS_<group> (Windows, e.g.
    # VOLUME_KMS_WS22). Azure marketplace images carry a VOLUME_KMSCLIENT product, which also
    # contains "VOLUME_KMS" and must not count as a host.
    param([Parameter(Mandatory = $true)] $Product)
    $description = [string]$Product.Description
    return (($description -match 'VOLUME_KMS') -and ($description -notmatch 'VOLUME_KMSCLIENT'))
}

function Get-LicensingService {
    return Get-CimInstance -ClassName SoftwareLicensingService
}

function Format-HResult {
    # 0xC004F050 style text for an HRESULT that arrives as UInt32 (ReturnValue, error_Code) or as
    # a negative Int32 (exception HResult).
    param([Parameter(Mandatory = $true)] [int64] $Code)
    return '0x{0:X8}' -f ($Code -band [int64]4294967295)
}

function Get-LicensingErrorHint {
    # What to do about a licensing HRESULT; the generic look-up advice for codes not in the table.
    param([AllowEmptyString()] [string] $Code)
    if ($Code -match '^(?i)0x[0-9a-f]{8}$') {
        $normalized = '0x' + $Code.Substring(2).ToUpperInvariant()
        if ($script:LicensingErrorHints.Contains($normalized)) { return $script:LicensingErrorHints[$normalized] }
    }
    return $script:LicensingErrorLookup
}

function Get-CimReturnValue {
    # ReturnValue of an Invoke-CimMethod result as a number; 0 when the method reported none.
    param([AllowNull()] $Result)
    if ($null -eq $Result -or -not $Result.PSObject.Properties['ReturnValue'] -or $null -eq $Result.ReturnValue) { return [int64]0 }
    return [int64]$Result.ReturnValue
}

function Get-LicensingErrorCode {
    # The HRESULT behind a failed SoftwareLicensingService method call, or '' if none is found.
    # The Software Licensing WMI provider usually fails the call itself rather than returning a
    # non-zero ReturnValue (slmgr.vbs sees the code as Err.Number); through the CIM cmdlets the
    # code arrives in the CimException's ErrorData (MSFT_WmiError.error_Code), sometimes only in
    # its message.
    param([Parameter(Mandatory = $true)] $ErrorRecord)
    for ($exception = $ErrorRecord.Exception; $null -ne $exception; $exception = $exception.InnerException) {
        if ($exception.PSObject.Properties['ErrorData'] -and $null -ne $exception.ErrorData) {
            $property = $exception.ErrorData.CimInstanceProperties['error_Code']
            if ($null -ne $property -and $null -ne $property.Value -and [int64]$property.Value -ne 0) {
                return Format-HResult -Code ([int64]$property.Value)
            }
        }
        if ([string]$exception.Message -match '(?i)0x[0-9a-f]{8}') { return Format-HResult -Code ([Convert]::ToInt64($Matches[0].Substring(2), 16)) }
    }
    return ''
}

function Set-KmsVersionRegistryValue {
    # slmgr /ipk also records the licensing service version as KeyManagementServiceVersion when a
    # KMS host key is installed (both registry views); monitoring tools (MOM/Operations Manager)
    # use it to discover KMS hosts. Done here so that replacing slmgr /ipk loses nothing. Not
    # fatal: the host works without it.
    param([Parameter(Mandatory = $true)] [AllowEmptyString()] [string] $Version)
    $paths = @(
        'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform',
        'HKLM:\SOFTWARE\Wow6432Node\Microsoft\Windows NT\CurrentVersion\SoftwareProtectionPlatform'
    )
    if (-not $Version) { return }
    foreach ($path in $paths) {
        if (-not (Test-Path -LiteralPath $path)) { continue }
        try {
            New-ItemProperty -LiteralPath $path -Name 'KeyManagementServiceVersion' -PropertyType String -Value $Version -Force | Out-Null
        }
        catch {
            Write-Log -Level WARN -Message "could not set KeyManagementServiceVersion under $path : $($_.Exception.Message)"
        }
    }
}

function Install-ProductKey {
    # Installs a product key with the WMI method SoftwareLicensingService.InstallProductKey, then
    # calls RefreshLicenseStatus. This is exactly what slmgr.vbs /ipk does internally (its
    # InstallProductKey sub calls objService.InstallProductKey(key), then
    # objService.RefreshLicenseStatus()).
    #
    # Why not slmgr /ipk: it puts the key on a process command line
    # (cscript.exe //nologo slmgr.vbs /ipk <key>). Process-creation auditing (Security event 4688
    # with command-line logging), Sysmon event 1 and Defender for Endpoint record command lines
    # and ship them to central log stores that far more people can read than the Key Vault
    # secret. A CIM method argument goes to the WMI provider and never appears on a command line.
    # So: never pass a key to Invoke-Slmgr or to any other process.
    #
    # Errors are reported by code with what to do about them; the key is never part of a message.
    param(
        [Parameter(Mandatory = $true)] [string] $HostKey,
        [Parameter(Mandatory = $true)] [string] $Label,
        [Parameter(Mandatory = $true)] [string] $SecretName
    )
    Write-Log -Message "running: SoftwareLicensingService.InstallProductKey $(Get-MaskedKey -Key $HostKey) ($Label)"
    $service = Get-LicensingService
    $failed = $false
    $code = ''
    $detail = ''
    try {
        $result = Invoke-CimMethod -InputObject $service -MethodName InstallProductKey -Arguments @{ ProductKey = $HostKey }
        $returnValue = Get-CimReturnValue -Result $result
        if ($returnValue -ne 0) {
            $failed = $true
            $code = Format-HResult -Code $returnValue
        }
    }
    catch {
        $failed = $true
        $code = Get-LicensingErrorCode -ErrorRecord $_
        $detail = Protect-ProductKey -Text ([string]$_.Exception.Message)
    }
    if ($failed) {
        $shown = $code
        if (-not $shown) { $shown = 'no error code' }
        throw "$Label : installing the KMS host key $(Get-MaskedKey -Key $HostKey) from secret '$SecretName' failed ($shown). $(Get-LicensingErrorHint -Code $code) $detail"
    }
    Write-Log -Message "InstallProductKey succeeded ($Label)."

    # As slmgr /ipk: the key can change the licensing state, so the service re-reads it. slmgr
    # ignores a failure here, so a failure is only a warning.
    try {
        $refresh = Invoke-CimMethod -InputObject $service -MethodName RefreshLicenseStatus
        $refreshValue = Get-CimReturnValue -Result $refresh
        if ($refreshValue -ne 0) {
            Write-Log -Level WARN -Message "RefreshLicenseStatus returned $(Format-HResult -Code $refreshValue); continuing."
        }
    }
    catch {
        Write-Log -Level WARN -Message "RefreshLicenseStatus failed ($(Get-LicensingErrorCode -ErrorRecord $_)): $($_.Exception.Message); continuing."
    }

    $kmsHostProducts = @(Get-CimInstance -ClassName SoftwareLicensingProduct -Filter 'PartialProductKey IS NOT NULL' -Property $script:ProductProperties |
            Where-Object { Test-IsKmsHostProduct -Product $_ })
    if ($kmsHostProducts.Count -gt 0) {
        Set-KmsVersionRegistryValue -Version ([string]$service.Version)
    }
}

function Get-EffectiveKmsPort {
    # KeyManagementServiceListeningPort is 0 until a port has been set; the host then listens on
    # the default 1688.
    $service = Get-LicensingService
    $port = [int]$service.KeyManagementServiceListeningPort
    if ($port -eq 0) { return $script:DefaultKmsPort }
    return $port
}

function Test-KmsHostKeyFormat {
    param([Parameter(Mandatory = $true)] [string] $Key, [Parameter(Mandatory = $true)] [string] $SecretName)
    if ($Key -notmatch '^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$') {
        # Never echo the value: say what is wrong with its shape only.
        throw "Key Vault secret '$SecretName' does not look like a product key (expected 5 groups of 5 letters/digits separated by '-', got $($Key.Length) characters). Upload the KMS host key (CSVLK) from the Microsoft 365 admin center (Billing > Your products > Volume licensing) and re-run."
    }
}

# ---------------------------------------------------------------------------------------------
# Step 0: parameters
# ---------------------------------------------------------------------------------------------

function ConvertTo-BootstrapConfig {
    # Run Command passes every parameter as a string; validate and convert them here so that a
    # bad value fails before anything on the machine changes.
    Write-Log -Level STEP -Message 'Step 0: validating parameters'
    if ($Revision) { Write-Log -Message "Bootstrap revision $Revision" }

    $vault = $KeyVaultUri.Trim()
    $vaultUri = $null
    if (-not [Uri]::TryCreate($vault, [UriKind]::Absolute, [ref]$vaultUri) -or $vaultUri.Scheme -ne 'https') {
        throw "KeyVaultUri '$KeyVaultUri' is not an https URL. Pass the vault URI, e.g. https://kv-kms-lab.vault.azure.net/."
    }
    if (-not $vault.EndsWith('/')) { $vault = $vault + '/' }

    $secretNamePattern = '^[0-9A-Za-z-]{1,127}$'
    $windowsSecret = $WindowsKeySecretName.Trim()
    if ($windowsSecret -and $windowsSecret -notmatch $secretNamePattern) {
        throw "WindowsKeySecretName '$windowsSecret' is not a valid Key Vault secret name (1-127 letters, digits and '-')."
    }

    $portNumber = 0
    if (-not [int]::TryParse($KmsPort.Trim(), [ref]$portNumber) -or $portNumber -lt 1 -or $portNumber -gt 65535) {
        throw "KmsPort '$KmsPort' is not a TCP port (1-65535)."
    }

    $cidrs = @($ClientCidrs.Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' })
    if ($cidrs.Count -eq 0) {
        throw 'ClientCidrs is empty. Pass the comma-separated CIDR ranges of the KMS clients: the firewall rule is scoped to them so that the host does not answer the whole network.'
    }
    foreach ($cidr in $cidrs) {
        $parts = $cidr.Split('/')
        $address = $null
        $prefix = 0
        $maxPrefix = 32
        $valid = ($parts.Count -eq 2) -and [System.Net.IPAddress]::TryParse($parts[0], [ref]$address) -and [int]::TryParse($parts[1], [ref]$prefix)
        if ($valid -and $address.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6) { $maxPrefix = 128 }
        if (-not $valid -or $prefix -lt 0 -or $prefix -gt $maxPrefix) {
            throw "ClientCidrs entry '$cidr' is not a CIDR range (e.g. 10.20.0.0/16)."
        }
    }

    $dnsValue = $DisableDnsPublishing.Trim().ToLowerInvariant()
    if ($dnsValue -ne 'true' -and $dnsValue -ne 'false') {
        throw "DisableDnsPublishing '$DisableDnsPublishing' must be 'true' or 'false'."
    }

    # Windows PowerShell 5.1 returns a JSON array as one object; PowerShell 7 enumerates it and
    # returns $null for []. Piping through Where-Object normalises both.
    $jsonText = $OfficeProductsJson.Trim()
    if ($jsonText -eq '') { $jsonText = '[]' }
    if (-not $jsonText.StartsWith('[')) {
        throw 'OfficeProductsJson must be a JSON array, e.g. [{"product":"office-ltsc-2024","secretName":"kms-office-ltsc-2024","packUri":"https://...","packSha256":"<64 hex>"}].'
    }
    try {
        $parsed = ConvertFrom-Json -InputObject $jsonText
    }
    catch {
        throw "OfficeProductsJson is not valid JSON: $($_.Exception.Message)"
    }
    $items = @($parsed | Where-Object { $null -ne $_ })

    $office = @()
    $seen = @{}
    $index = 0
    foreach ($item in $items) {
        $values = @{}
        foreach ($field in @('product', 'secretName', 'packUri', 'packSha256')) {
            $property = $item.PSObject.Properties[$field]
            if ($null -eq $property -or [string]::IsNullOrWhiteSpace([string]$property.Value)) {
                throw "OfficeProductsJson[$index] has no '$field'. Each entry needs product, secretName, packUri and packSha256."
            }
            $values[$field] = ([string]$property.Value).Trim()
        }
        $product = $values['product'].ToLowerInvariant()
        if (-not $script:OfficeKmsHostActivationIds.Contains($product)) {
            throw "OfficeProductsJson[$index].product '$($values['product'])' is not supported. Use one of: $($script:OfficeKmsHostActivationIds.Keys -join ', ')."
        }
        if ($seen.ContainsKey($product)) {
            throw "OfficeProductsJson lists '$product' twice; one KMS host key per Office version is enough."
        }
        $seen[$product] = $true
        if ($values['secretName'] -notmatch $secretNamePattern) {
            throw "OfficeProductsJson[$index].secretName '$($values['secretName'])' is not a valid Key Vault secret name."
        }
        $packUri = $null
        if (-not [Uri]::TryCreate($values['packUri'], [UriKind]::Absolute, [ref]$packUri) -or $packUri.Scheme -ne 'https') {
            throw "OfficeProductsJson[$index].packUri '$($values['packUri'])' must be an https URL (the Office Volume License Pack from the Microsoft Download Center)."
        }
        if ($values['packSha256'] -notmatch '^[0-9A-Fa-f]{64}$') {
            throw "OfficeProductsJson[$index].packSha256 must be 64 hexadecimal characters (Get-FileHash -Algorithm SHA256 of the pack)."
        }
        $office += [pscustomobject]@{
            Product      = $product
            SecretName   = $values['secretName']
            PackUri      = $packUri.AbsoluteUri
            PackSha256   = $values['packSha256'].ToUpperInvariant()
            ActivationId = $script:OfficeKmsHostActivationIds[$product]
        }
        $index++
    }

    if (-not $windowsSecret -and $office.Count -eq 0) {
        throw 'Nothing to do: WindowsKeySecretName is empty and OfficeProductsJson lists no Office product. Configure at least one KMS host key.'
    }

    $config = [pscustomobject]@{
        KeyVaultUri          = $vault
        VaultName            = Get-VaultName -VaultUri $vault
        WindowsSecretName    = $windowsSecret
        Office               = $office
        Port                 = $portNumber
        ClientCidrs          = $cidrs
        DisableDnsPublishing = ($dnsValue -eq 'true')
    }
    Write-Log -Message ("vault {0}; Windows key secret: {1}; Office: {2}; port {3}; clients {4}; DNS publishing disabled: {5}" -f `
            $config.VaultName, $(if ($windowsSecret) { $windowsSecret } else { '(none: Windows stays activated by Azure)' }), `
            $(if ($office.Count -gt 0) { ($office | ForEach-Object { $_.Product }) -join ', ' } else { '(none)' }), `
            $config.Port, ($cidrs -join ', '), $config.DisableDnsPublishing)
    return $config
}

function Assert-Prerequisites {
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message 'Step 0b: checking prerequisites'

    # A 32-bit PowerShell on 64-bit Windows sees a redirected System32 and the wrong WMI
    # provider view; slmgr and Install-WindowsFeature must run natively.
    if ($env:PROCESSOR_ARCHITEW6432) {
        throw 'This script runs in 32-bit PowerShell on 64-bit Windows. Run it with the 64-bit Windows PowerShell (the Run Command default).'
    }
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'This script needs administrative rights (Run Command runs it as SYSTEM). Re-run it elevated.'
    }
    if (-not (Get-Command -Name Install-WindowsFeature -ErrorAction SilentlyContinue)) {
        throw 'Install-WindowsFeature is not available: a KMS host for this module must be Windows Server (Standard or Datacenter).'
    }
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    Write-Log -Message "operating system: $($os.Caption) $($os.Version)"
    # Microsoft: Windows Server Datacenter: Azure Edition is activated by Azure and cannot be a
    # KMS host (kms-activation-planning).
    if ([string]$os.Caption -match 'Azure Edition') {
        if ($Config.WindowsSecretName) {
            throw 'Windows Server Datacenter: Azure Edition cannot be a KMS host. Deploy the VM from a Windows Server Standard or Datacenter image.'
        }
        Write-Log -Level WARN -Message 'Windows Server Datacenter: Azure Edition is not supported as a KMS host; Office activation may fail. Prefer a Standard or Datacenter image.'
    }
}

# ---------------------------------------------------------------------------------------------
# Step 1: Volume Activation Services role
# ---------------------------------------------------------------------------------------------

function Install-VolumeActivationRole {
    Write-Log -Level STEP -Message 'Step 1: Volume Activation Services role (VolumeActivation)'
    $feature = Get-WindowsFeature -Name VolumeActivation
    if ($null -eq $feature) {
        throw 'The VolumeActivation feature does not exist on this Windows edition. Use a Windows Server Standard or Datacenter image.'
    }
    if ($feature.Installed) {
        Write-Log -Message 'VolumeActivation is already installed; skipping.'
        $script:Summary['VolumeActivation role'] = 'already installed'
        return
    }
    $result = Install-WindowsFeature -Name VolumeActivation -IncludeManagementTools
    if (-not $result.Success) {
        throw "Install-WindowsFeature VolumeActivation failed (exit code $($result.ExitCode)). Check C:\Windows\Logs\DISM\dism.log, then re-run."
    }
    Write-Log -Message "VolumeActivation installed (restart needed: $($result.RestartNeeded))."
    $script:Summary['VolumeActivation role'] = 'installed'
}

# ---------------------------------------------------------------------------------------------
# Step 2: Key Vault access through the managed identity
# ---------------------------------------------------------------------------------------------

function Get-KeyVaultAccessToken {
    # The VM's managed identity and its role assignment can take minutes to become usable after
    # Terraform creates them, so IMDS is retried with exponential backoff before giving up.
    Write-Log -Level STEP -Message 'Step 2a: Key Vault token from the instance metadata service (managed identity)'
    $lastError = ''
    for ($attempt = 1; $attempt -le $script:MaxAttempts; $attempt++) {
        try {
            $tokenResponse = Invoke-RestMethod -Method Get -Uri $script:ImdsTokenUri -Headers @{ Metadata = 'true' } -UseBasicParsing -TimeoutSec 30
            if ($tokenResponse -and $tokenResponse.PSObject.Properties['access_token'] -and $tokenResponse.access_token) {
                Write-Log -Message "token received on attempt $attempt (token not shown)."
                return [string]$tokenResponse.access_token
            }
            $lastError = 'IMDS answered without an access_token'
        }
        catch {
            $lastError = "HTTP $(Get-HttpStatusCode -ErrorRecord $_): $($_.Exception.Message)"
        }
        if ($attempt -lt $script:MaxAttempts) {
            $wait = Get-BackoffSeconds -Attempt $attempt
            Write-Log -Level WARN -Message "IMDS token attempt $attempt/$($script:MaxAttempts) failed ($lastError); retrying in $wait s."
            Start-Sleep -Seconds $wait
        }
    }
    throw "Could not get a Key Vault token from the instance metadata service after $($script:MaxAttempts) attempts ($lastError). Make sure the VM has a managed identity (system-assigned, or a single user-assigned one) and re-run the Run Command."
}

function Get-KeyVaultSecretValue {
    # Reads one secret. 403 (role assignment not yet effective), 404 (secret not yet uploaded),
    # 429 and 5xx are retried with backoff; the error message then says how to fix it.
    param(
        [Parameter(Mandatory = $true)] $Config,
        [Parameter(Mandatory = $true)] [string] $Token,
        [Parameter(Mandatory = $true)] [string] $SecretName
    )
    $uri = '{0}secrets/{1}?api-version={2}' -f $Config.KeyVaultUri, $SecretName, $script:KeyVaultApiVersion
    $headers = @{ Authorization = "Bearer $Token" }
    $lastStatus = 0
    $lastError = ''
    for ($attempt = 1; $attempt -le $script:MaxAttempts; $attempt++) {
        try {
            $secretResponse = Invoke-RestMethod -Method Get -Uri $uri -Headers $headers -UseBasicParsing -TimeoutSec 30
            if ($secretResponse -and $secretResponse.PSObject.Properties['value'] -and $secretResponse.value) {
                Write-Log -Message "secret '$SecretName' read from vault '$($Config.VaultName)' (value not shown)."
                return ([string]$secretResponse.value).Trim().ToUpperInvariant()
            }
            throw "secret '$SecretName' in vault '$($Config.VaultName)' is empty."
        }
        catch {
            $lastStatus = Get-HttpStatusCode -ErrorRecord $_
            $lastError = $_.Exception.Message
            $retryable = ($lastStatus -eq 0) -or ($lastStatus -eq 403) -or ($lastStatus -eq 404) -or ($lastStatus -eq 429) -or ($lastStatus -ge 500)
            if ($lastStatus -eq 0 -and $lastError -match 'is empty') { $retryable = $false }
            if (-not $retryable) { break }
        }
        if ($attempt -lt $script:MaxAttempts) {
            $wait = Get-BackoffSeconds -Attempt $attempt
            Write-Log -Level WARN -Message "reading secret '$SecretName' failed (HTTP $lastStatus), attempt $attempt/$($script:MaxAttempts); retrying in $wait s."
            Start-Sleep -Seconds $wait
        }
    }
    $vaultName = $Config.VaultName
    $upload = "az keyvault secret set --vault-name $vaultName --name $SecretName --value <your KMS host key>"
    if ($lastStatus -eq 404) {
        throw "Secret '$SecretName' was not found in Key Vault '$vaultName'. Upload the KMS host key (CSVLK) with: $upload ; then re-run the Run Command (terraform apply)."
    }
    if ($lastStatus -eq 403) {
        throw "Access to secret '$SecretName' in Key Vault '$vaultName' is forbidden (HTTP 403). Give the VM's managed identity the 'Key Vault Secrets User' role on the vault (and check the vault firewall allows the VM's subnet), make sure the secret exists ($upload), then re-run."
    }
    throw "Could not read secret '$SecretName' from Key Vault '$vaultName' (HTTP $lastStatus): $lastError. Check the secret exists ($upload), that the VM's identity has the 'Key Vault Secrets User' role, and that the VM can reach the vault; then re-run."
}

function Get-KmsHostKeys {
    # Reads every configured KMS host key up front, so that a missing secret fails the run
    # before anything on the machine is changed. Returns secretName -> key.
    param([Parameter(Mandatory = $true)] $Config)
    $token = Get-KeyVaultAccessToken
    Write-Log -Level STEP -Message 'Step 2b: reading KMS host keys from Key Vault'
    $hostKeys = @{}
    $names = @()
    if ($Config.WindowsSecretName) { $names += $Config.WindowsSecretName }
    foreach ($entry in $Config.Office) { $names += $entry.SecretName }
    foreach ($name in ($names | Select-Object -Unique)) {
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
    $products = @(Get-CimInstance -ClassName SoftwareLicensingProduct -Filter "ApplicationId = '$($script:WindowsApplicationId)' AND PartialProductKey IS NOT NULL" -Property $script:ProductProperties)
    foreach ($product in $products) {
        if (Test-IsKmsHostProduct -Product $product) { return $product }
    }
    return $null
}

function Install-WindowsKmsHostKey {
    param([Parameter(Mandatory = $true)] [string] $HostKey, [Parameter(Mandatory = $true)] [string] $SecretName)
    Write-Log -Level STEP -Message "Step 3: Windows KMS host key $(Get-MaskedKey -Key $HostKey)"
    $last5 = $HostKey.Substring($HostKey.Length - 5)

    $product = Get-WindowsKmsHostProduct
    if ($null -ne $product -and [string]$product.PartialProductKey -eq $last5) {
        Write-Log -Message "Windows KMS host key already installed ($($product.Description)); skipping InstallProductKey."
    }
    else {
        # Replaces the Azure KMS client key (GVLK) with the customer's CSVLK, through WMI rather
        # than slmgr /ipk so that the key never appears on a command line (see Install-ProductKey).
        Install-ProductKey -HostKey $HostKey -Label 'Windows' -SecretName $SecretName
        $script:SppConfigChanged = $true
        $product = Get-WindowsKmsHostProduct
        if ($null -eq $product -or [string]$product.PartialProductKey -ne $last5) {
            throw "InstallProductKey reported success but no Windows KMS host (VOLUME_KMS) product with this key is installed. Check that secret '$SecretName' holds a Windows Server KMS host key (CSVLK) that matches this Windows Server version (see kms-activation-planning), then re-run."
        }
    }

    if ([int]$product.LicenseStatus -eq 1) {
        Write-Log -Message 'Windows KMS host is already activated (LicenseStatus 1); skipping /ato.'
        $script:Summary['Windows'] = "KMS host key $(Get-MaskedKey -Key $HostKey), already licensed"
        return
    }
    # Online activation of the CSVLK needs outbound internet access from the VM.
    Invoke-Slmgr -Arguments @('/ato') -Display '/ato (Windows)' | Out-Null
    $script:SppConfigChanged = $true
    $script:Summary['Windows'] = "KMS host key $(Get-MaskedKey -Key $HostKey), activated"
}

# ---------------------------------------------------------------------------------------------
# Step 4: Office Volume License Packs and Office KMS host keys
# ---------------------------------------------------------------------------------------------

function Save-OfficeVolumeLicensePack {
    # Downloads the pack and refuses it unless its SHA-256 matches the pinned value: the pack
    # runs as SYSTEM, so it must be exactly the file the operator vetted.
    param([Parameter(Mandatory = $true)] $Entry, [Parameter(Mandatory = $true)] [string] $WorkFolder)
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    $fileName = [IO.Path]::GetFileName(([Uri]$Entry.PackUri).AbsolutePath)
    if (-not $fileName -or -not $fileName.ToLowerInvariant().EndsWith('.exe')) {
        $fileName = "$($Entry.Product)-volume-license-pack.exe"
    }
    $path = Join-Path $WorkFolder $fileName

    $downloaded = $false
    $lastError = ''
    for ($attempt = 1; $attempt -le 3 -and -not $downloaded; $attempt++) {
        try {
            Write-Log -Message "downloading $($Entry.PackUri) (attempt $attempt)"
            Invoke-WebRequest -Uri $Entry.PackUri -OutFile $path -UseBasicParsing -TimeoutSec 600
            $downloaded = $true
        }
        catch {
            $lastError = $_.Exception.Message
            if ($attempt -lt 3) { Start-Sleep -Seconds (Get-BackoffSeconds -Attempt $attempt) }
        }
    }
    if (-not $downloaded) {
        throw "Could not download the $($Entry.Product) Volume License Pack from $($Entry.PackUri): $lastError. Check the VM's outbound internet access (download.microsoft.com) and the packUri, then re-run."
    }

    $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $path).Hash.ToUpperInvariant()
    if ($actual -ne $Entry.PackSha256) {
        Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
        throw "SHA-256 mismatch for the $($Entry.Product) Volume License Pack from $($Entry.PackUri): expected $($Entry.PackSha256), got $actual. The file was deleted and not run. If Microsoft published a new pack, verify it and update packSha256; otherwise investigate the download path."
    }
    Write-Log -Message "SHA-256 verified: $actual"

    # Defence in depth on top of the hash pin: the pack must not carry a broken or non-Microsoft
    # Authenticode signature. An unsigned file is only warned about, because the hash pin above
    # already fixes the exact bytes.
    $signature = Get-AuthenticodeSignature -FilePath $path
    if ($signature.Status -eq [System.Management.Automation.SignatureStatus]::NotSigned) {
        Write-Log -Level WARN -Message 'the pack is not Authenticode-signed; relying on the SHA-256 pin.'
    }
    elseif ($signature.Status -ne [System.Management.Automation.SignatureStatus]::Valid -or $null -eq $signature.SignerCertificate -or $signature.SignerCertificate.Subject -notmatch 'O=Microsoft Corporation') {
        Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
        throw "The $($Entry.Product) Volume License Pack's Authenticode signature is $($signature.Status) (signer: $(if ($signature.SignerCertificate) { $signature.SignerCertificate.Subject } else { 'none' })). The file was deleted and not run. Download the pack from the Microsoft Download Center and re-check its hash."
    }
    else {
        Write-Log -Message "Authenticode signature valid: $($signature.SignerCertificate.Subject)"
    }
    return $path
}

function Get-DescendantProcessIds {
    # Processes started by $ProcessId and their descendants. Windows keeps ParentProcessId after
    # the parent exits, so this also finds what a self-extractor launched before it quit. Only
    # processes created after $StartedAfter count, so a reused process id cannot pull in an
    # unrelated process.
    param([Parameter(Mandatory = $true)] [int] $ProcessId, [Parameter(Mandatory = $true)] [datetime] $StartedAfter)
    $ids = @()
    $children = @(Get-CimInstance -ClassName Win32_Process -Filter "ParentProcessId = $ProcessId" -ErrorAction SilentlyContinue)
    foreach ($child in $children) {
        if ($child.CreationDate -lt $StartedAfter) { continue }
        $ids += [int]$child.ProcessId
        $ids += @(Get-DescendantProcessIds -ProcessId ([int]$child.ProcessId) -StartedAfter $StartedAfter)
    }
    # Enumerated on purpose: callers wrap the call in @(), which would nest a ", $ids" array.
    return $ids
}

function Stop-ProcessTree {
    # Stops a process we started and its descendants (the pack may have opened the Volume
    # Activation Tools wizard, which waits for input nobody can give in session 0).
    param([Parameter(Mandatory = $true)] [int] $ProcessId, [Parameter(Mandatory = $true)] [datetime] $StartedAfter)
    $descendants = @(Get-DescendantProcessIds -ProcessId $ProcessId -StartedAfter $StartedAfter)
    foreach ($id in $descendants) { Stop-Process -Id $id -Force -ErrorAction SilentlyContinue }
    Stop-Process -Id $ProcessId -Force -ErrorAction SilentlyContinue
}

function Invoke-PackProcess {
    # Starts the pack and waits until the licence for $ActivationId appears, the pack and
    # everything it started have exited, or the timeout passes. Returns $true when the licence is
    # present afterwards.
    param(
        [Parameter(Mandatory = $true)] [string] $Path,
        [Parameter(Mandatory = $true)] [string[]] $Arguments,
        [Parameter(Mandatory = $true)] [string] $ActivationId
    )
    Write-Log -Message "running: $([IO.Path]::GetFileName($Path)) $($Arguments -join ' ')"
    $startedAt = (Get-Date).AddSeconds(-1)
    $process = Start-Process -FilePath $Path -ArgumentList $Arguments -PassThru -WindowStyle Hidden
    # Reading Handle now keeps it open, without which Windows PowerShell 5.1 reports no ExitCode.
    $null = $process.Handle
    $deadline = (Get-Date).AddSeconds($script:PackTimeoutSeconds)
    $present = $false
    while ((Get-Date) -lt $deadline) {
        if ($null -ne (Get-LicensingProduct -ActivationId $ActivationId)) {
            $present = $true
            # Give the installer a moment to finish writing, then stop whatever UI it left open.
            Start-Sleep -Seconds 15
            break
        }
        $running = @(Get-DescendantProcessIds -ProcessId $process.Id -StartedAfter $startedAt)
        if ($process.HasExited -and $running.Count -eq 0) { break }
        Start-Sleep -Seconds 10
    }
    $leftovers = @(Get-DescendantProcessIds -ProcessId $process.Id -StartedAfter $startedAt)
    if (-not $process.HasExited -or $leftovers.Count -gt 0) {
        Write-Log -Level WARN -Message "the pack (PID $($process.Id)) or a process it started is still running; stopping them."
        Stop-ProcessTree -ProcessId $process.Id -StartedAfter $startedAt
    }
    if ($process.HasExited) {
        Write-Log -Message "the pack exited with code $($process.ExitCode)."
    }
    if (-not $present) { $present = ($null -ne (Get-LicensingProduct -ActivationId $ActivationId)) }
    return $present
}

function Install-OfficeVolumeLicensePack {
    # UNCONFIRMED (no Microsoft documentation found): Microsoft Learn only says "run the Office
    # Volume License Pack executable; it installs the pack and opens the Volume Activation Tools
    # wizard". No silent switch is documented. We therefore:
    #   1. run it with /quiet (the switch used by third-party deployment guides) and watch for
    #      the KMS host licence of this Activation ID to appear in SoftwareLicensingProduct,
    #      stopping the process tree if it then lingers (e.g. the wizard in session 0);
    #   2. if the licence did not appear, extract the pack (/extract:<folder> /quiet, the Office
    #      self-extractor convention, also unconfirmed for this package) and install its licence
    #      files with "slmgr /ilc <file>", which is a documented slmgr option;
    #   3. accept the result only if the licence for the Activation ID is present afterwards.
    # The outcome is verified through WMI, never assumed from an exit code.
    param([Parameter(Mandatory = $true)] $Entry, [Parameter(Mandatory = $true)] [string] $WorkFolder)

    if ($null -ne (Get-LicensingProduct -ActivationId $Entry.ActivationId)) {
        Write-Log -Message "$($Entry.Product): KMS host licence $($Entry.ActivationId) already present; skipping the Volume License Pack."
        return 'already present'
    }

    $packPath = Save-OfficeVolumeLicensePack -Entry $Entry -WorkFolder $WorkFolder
    $script:SppConfigChanged = $true

    if (Invoke-PackProcess -Path $packPath -Arguments @('/quiet') -ActivationId $Entry.ActivationId) {
        Write-Log -Message "$($Entry.Product): Volume License Pack installed (licence $($Entry.ActivationId) present)."
        return 'installed'
    }

    Write-Log -Level WARN -Message "$($Entry.Product): licence $($Entry.ActivationId) not present after '/quiet'; extracting the pack and installing its licence files with slmgr /ilc."
    $extractFolder = Join-Path $WorkFolder "$($Entry.Product)-extracted"
    if (Test-Path -LiteralPath $extractFolder) { Remove-Item -LiteralPath $extractFolder -Recurse -Force }
    New-Item -ItemType Directory -Path $extractFolder -Force | Out-Null
    Invoke-PackProcess -Path $packPath -Arguments @("/extract:`"$extractFolder`"", '/quiet') -ActivationId $Entry.ActivationId | Out-Null

    $licenceFiles = @(Get-ChildItem -LiteralPath $extractFolder -Recurse -Filter '*.xrm-ms' -File -ErrorAction SilentlyContinue | Sort-Object FullName)
    foreach ($file in $licenceFiles) {
        Invoke-Slmgr -Arguments @('/ilc', $file.FullName) -Display "/ilc $($file.Name)" -AllowFailure | Out-Null
    }
    if ($null -eq (Get-LicensingProduct -ActivationId $Entry.ActivationId) -and $licenceFiles.Count -gt 0) {
        # Newly installed licences can need a service restart before the product is listed.
        Restart-Service -Name sppsvc -Force
    }
    if ($null -ne (Get-LicensingProduct -ActivationId $Entry.ActivationId)) {
        Write-Log -Message "$($Entry.Product): licence files installed from the extracted pack ($($licenceFiles.Count) files)."
        return 'installed (extracted licence files)'
    }
    throw "$($Entry.Product): the Office Volume License Pack did not install the KMS host licence $($Entry.ActivationId) unattended ($($licenceFiles.Count) licence files found after extraction). Install the pack once interactively (Azure Bastion/RDP: run $packPath, close the Volume Activation Tools wizard without entering a key), then re-run the Run Command."
}

function Install-OfficeKmsHostKey {
    param([Parameter(Mandatory = $true)] $Entry, [Parameter(Mandatory = $true)] [string] $HostKey)
    $last5 = $HostKey.Substring($HostKey.Length - 5)
    $product = Get-LicensingProduct -ActivationId $Entry.ActivationId
    if ([string]$product.ApplicationId -ne $script:OfficeApplicationId) {
        Write-Log -Level WARN -Message "$($Entry.Product): licence $($Entry.ActivationId) has application id $($product.ApplicationId), expected $($script:OfficeApplicationId)."
    }

    if ([string]$product.PartialProductKey -eq $last5) {
        Write-Log -Message "$($Entry.Product): KMS host key already installed; skipping InstallProductKey."
    }
    else {
        # InstallProductKey (like slmgr /ipk, which calls it) installs the key for whichever
        # application the key belongs to (here Office); WMI keeps the key off the command line.
        Install-ProductKey -HostKey $HostKey -Label $Entry.Product -SecretName $Entry.SecretName
        $script:SppConfigChanged = $true
        $product = Get-LicensingProduct -ActivationId $Entry.ActivationId
        if ($null -eq $product -or [string]$product.PartialProductKey -ne $last5) {
            throw "$($Entry.Product): InstallProductKey succeeded but the key is not attached to KMS host licence $($Entry.ActivationId). Check that secret '$($Entry.SecretName)' holds the Office KMS host key for $($Entry.Product) (not a client key or another Office version), then re-run."
        }
    }

    if ([int]$product.LicenseStatus -eq 1) {
        Write-Log -Message "$($Entry.Product): already activated (LicenseStatus 1); skipping /ato."
        return "KMS host key $(Get-MaskedKey -Key $HostKey), already licensed"
    }
    Invoke-Slmgr -Arguments @('/ato', $Entry.ActivationId) -Display "/ato $($Entry.ActivationId) ($($Entry.Product))" | Out-Null
    $script:SppConfigChanged = $true
    return "KMS host key $(Get-MaskedKey -Key $HostKey), activated"
}

function Install-OfficeKmsHosts {
    param([Parameter(Mandatory = $true)] $Config, [Parameter(Mandatory = $true)] [hashtable] $HostKeys)
    Write-Log -Level STEP -Message "Step 4: Office KMS host ($($Config.Office.Count) version(s))"
    $workFolder = Join-Path (Split-Path -Path $script:LogFile -Parent) 'work'
    if (-not (Test-Path -LiteralPath $workFolder)) { New-Item -ItemType Directory -Path $workFolder -Force | Out-Null }
    foreach ($entry in $Config.Office) {
        Write-Log -Message "$($entry.Product): Activation ID $($entry.ActivationId), secret '$($entry.SecretName)'"
        $packState = Install-OfficeVolumeLicensePack -Entry $entry -WorkFolder $workFolder
        $keyState = Install-OfficeKmsHostKey -Entry $entry -HostKey $HostKeys[$entry.SecretName]
        $script:Summary["Office $($entry.Product)"] = "pack $packState; $keyState"
    }
}

# ---------------------------------------------------------------------------------------------
# Step 5: port, firewall, DNS publishing, service restart
# ---------------------------------------------------------------------------------------------

function Set-KmsListeningPort {
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message "Step 5a: KMS listening port $($Config.Port)"
    $service = Get-LicensingService
    $configured = [int]$service.KeyManagementServiceListeningPort
    $effective = Get-EffectiveKmsPort
    # /sprt when a non-default port is wanted and not yet set, or when a previously set port
    # differs from the wanted one (including going back to 1688).
    if ($effective -ne $Config.Port -or ($configured -ne 0 -and $configured -ne $Config.Port)) {
        Invoke-Slmgr -Arguments @('/sprt', [string]$Config.Port) -Display "/sprt $($Config.Port)" | Out-Null
        $script:SppConfigChanged = $true
        $script:Summary['Port'] = "$($Config.Port) (changed from $effective)"
    }
    else {
        Write-Log -Message "KMS already listens on port $effective; skipping /sprt."
        $script:Summary['Port'] = "$($Config.Port) (unchanged)"
    }
}

function Set-KmsFirewall {
    # The built-in "Key Management Service (TCP-In)" rule (Name SPPSVC-In-TCP) exists on every
    # Windows Server but is disabled (kms-create-host). We enable it for all profiles, because
    # an Azure VM's NIC is usually in the Public profile, and scope it to the client ranges
    # instead: a KMS host answers any client that reaches it.
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message "Step 5b: firewall rule $($script:FirewallRuleName) for TCP $($Config.Port) from $($Config.ClientCidrs -join ', ')"
    $rule = Get-NetFirewallRule -Name $script:FirewallRuleName -ErrorAction SilentlyContinue
    if ($null -eq $rule) {
        throw "Firewall rule '$($script:FirewallRuleName)' not found. Install the VolumeActivation role (step 1) or check the image, then re-run."
    }
    $builtInPort = [string](($rule | Get-NetFirewallPortFilter).LocalPort)
    Write-Log -Message "built-in rule '$($rule.DisplayName)': enabled $($rule.Enabled), local port $builtInPort"

    $portChanged = $false
    try {
        Set-NetFirewallRule -Name $script:FirewallRuleName -Enabled True -RemoteAddress $Config.ClientCidrs -LocalPort ([string]$Config.Port) -Profile Any
        $portChanged = ([string](Get-NetFirewallRule -Name $script:FirewallRuleName | Get-NetFirewallPortFilter).LocalPort -eq [string]$Config.Port)
    }
    catch {
        Write-Log -Level WARN -Message "could not set the port of '$($script:FirewallRuleName)': $($_.Exception.Message)"
        # Still enable and scope the built-in rule; only the port part failed.
        Set-NetFirewallRule -Name $script:FirewallRuleName -Enabled True -RemoteAddress $Config.ClientCidrs -Profile Any
    }

    $own = Get-NetFirewallRule -Name $script:OwnFirewallRuleName -ErrorAction SilentlyContinue
    if ($portChanged) {
        if ($null -ne $own) {
            # Left over from an earlier run where the built-in rule could not be changed.
            Remove-NetFirewallRule -Name $script:OwnFirewallRuleName
            Write-Log -Message "removed the no longer needed rule '$($script:OwnFirewallRuleName)'."
        }
        $script:Summary['Firewall'] = "$($script:FirewallRuleName) enabled, TCP $($Config.Port), remote $($Config.ClientCidrs -join ', '), all profiles"
        return
    }

    # The built-in rule is a predefined rule whose port may be read-only (the firewall UI greys
    # out ports on predefined rules). If its port could not be set to ours, clients would be
    # blocked, so we add a rule of our own for exactly the KMS port, scoped the same way.
    Write-Log -Level WARN -Message "the built-in rule still has local port '$builtInPort'; using our own rule '$($script:OwnFirewallRuleName)' for TCP $($Config.Port)."
    if ($null -eq $own) {
        New-NetFirewallRule -Name $script:OwnFirewallRuleName -DisplayName 'Azure KMS host: Key Management Service (TCP-In)' `
            -Description 'KMS host port for the configured client ranges; created by Install-KmsHost.ps1 because the built-in SPPSVC-In-TCP port could not be changed.' `
            -Direction Inbound -Action Allow -Protocol TCP -LocalPort ([string]$Config.Port) -RemoteAddress $Config.ClientCidrs -Profile Any -Enabled True | Out-Null
    }
    else {
        Set-NetFirewallRule -Name $script:OwnFirewallRuleName -Enabled True -Direction Inbound -Action Allow -Protocol TCP -LocalPort ([string]$Config.Port) -RemoteAddress $Config.ClientCidrs -Profile Any
    }
    $script:Summary['Firewall'] = "$($script:FirewallRuleName) enabled (port $builtInPort) + $($script:OwnFirewallRuleName) TCP $($Config.Port), remote $($Config.ClientCidrs -join ', ')"
}

function Set-KmsDnsPublishing {
    # With Terraform managing the _vlmcs._tcp SRV record, the host must not try dynamic updates
    # (they fail on Azure DNS and fill the log with event 12293).
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message "Step 5c: DNS publishing $(if ($Config.DisableDnsPublishing) { 'off' } else { 'on' })"
    $service = Get-LicensingService
    $publishing = [bool]$service.KeyManagementServiceDnsPublishing
    if ($Config.DisableDnsPublishing) {
        if ($publishing) {
            Invoke-Slmgr -Arguments @('/cdns') -Display '/cdns' | Out-Null
            $script:SppConfigChanged = $true
        }
        else { Write-Log -Message 'DNS publishing is already off; skipping /cdns.' }
        $script:Summary['DNS publishing'] = 'disabled (SRV record managed outside the host)'
    }
    else {
        if (-not $publishing) {
            Invoke-Slmgr -Arguments @('/sdns') -Display '/sdns' | Out-Null
            $script:SppConfigChanged = $true
        }
        else { Write-Log -Message 'DNS publishing is already on; skipping /sdns.' }
        $script:Summary['DNS publishing'] = 'enabled'
    }
}

function Restart-SoftwareProtectionService {
    # Microsoft: restart the Software Protection service after KMS configuration changes
    # (tools-to-manage-volume-activation-of-office). Skipped when nothing changed so re-runs do
    # not interrupt a working host.
    Write-Log -Level STEP -Message 'Step 5d: Software Protection service (sppsvc)'
    if (-not $script:SppConfigChanged) {
        Write-Log -Message 'no licensing change in this run; not restarting sppsvc.'
        $script:Summary['sppsvc'] = 'not restarted (no change)'
        return
    }
    Restart-Service -Name sppsvc -Force
    Write-Log -Message 'sppsvc restarted.'
    $script:Summary['sppsvc'] = 'restarted'
}

# ---------------------------------------------------------------------------------------------
# Step 6: verification
# ---------------------------------------------------------------------------------------------

function Assert-KmsProduct {
    param(
        [Parameter(Mandatory = $true)] [string] $Label,
        [Parameter(Mandatory = $true)] [AllowNull()] $Product,
        [Parameter(Mandatory = $true)] [string[]] $DlvArguments
    )
    $lines = Invoke-Slmgr -Arguments $DlvArguments -Display ($DlvArguments -join ' ')
    $text = $lines -join "`n"
    if ($null -eq $Product) { throw "$Label : no KMS host product found after configuration. Re-run; if it persists, check 'slmgr /dlv all' on the VM." }
    if ([int]$Product.LicenseStatus -ne 1) {
        throw "$Label : KMS host key is installed but not activated (LicenseStatus $($Product.LicenseStatus)). The VM needs outbound internet access to activate its KMS host key online (or activate by phone: slmgr /dti, then /atp); then re-run."
    }
    if ([int]$Product.IsKeyManagementServiceMachine -ne 1) {
        throw "$Label : Key Management Service is not enabled for this product (IsKeyManagementServiceMachine = $($Product.IsKeyManagementServiceMachine)). Check the key is a KMS host key (CSVLK), then re-run."
    }
    # English-language marker from /dlv; Azure marketplace images are en-US. Only a warning,
    # because WMI above is the authoritative check.
    if ($text -notmatch 'Key Management Service is enabled on this machine') {
        Write-Log -Level WARN -Message "$Label : /dlv did not print 'Key Management Service is enabled on this machine' (non-English image?)."
    }
}

function Test-KmsHost {
    param([Parameter(Mandatory = $true)] $Config)
    Write-Log -Level STEP -Message 'Step 6: verifying the KMS host'
    if ($Config.WindowsSecretName) {
        Assert-KmsProduct -Label 'Windows' -Product (Get-WindowsKmsHostProduct) -DlvArguments @('/dlv')
    }
    foreach ($entry in $Config.Office) {
        Assert-KmsProduct -Label $entry.Product -Product (Get-LicensingProduct -ActivationId $entry.ActivationId) -DlvArguments @('/dlv', $entry.ActivationId)
    }
    $service = Get-LicensingService
    if ($Config.WindowsSecretName -and [int]$service.IsKeyManagementServiceMachine -ne 1) {
        throw 'SoftwareLicensingService reports that this machine is not a KMS host (IsKeyManagementServiceMachine = 0). Check the Windows KMS host key, then re-run.'
    }
    $port = Get-EffectiveKmsPort
    if ($port -ne $Config.Port) {
        throw "KMS listens on port $port, expected $($Config.Port). Run 'slmgr /sprt $($Config.Port)' and restart sppsvc, or re-run the Run Command."
    }
    Write-Log -Message "KMS is enabled and listening on TCP $port (current count $($service.KeyManagementServiceCurrentCount))."
    $script:Summary['Verification'] = "KMS enabled, listening on $port"
}

function Write-Summary {
    param([Parameter(Mandatory = $true)] [string] $Outcome)
    Write-Log -Level STEP -Message "Summary: $Outcome"
    foreach ($name in $script:Summary.Keys) {
        Write-Log -Message ('  {0,-24} {1}' -f $name, $script:Summary[$name])
    }
    if ($script:LogFile) { Write-Log -Message "  log file: $($script:LogFile)" }
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

# Any failure ends in exit 1 so that the Run Command, and therefore terraform apply, fails
# visibly with the message that says what to do.
try {
    Initialize-Log -Path $LogPath
    $config = ConvertTo-BootstrapConfig
    Assert-Prerequisites -Config $config
    Install-VolumeActivationRole
    $hostKeys = Get-KmsHostKeys -Config $config
    if ($config.WindowsSecretName) {
        Install-WindowsKmsHostKey -HostKey $hostKeys[$config.WindowsSecretName] -SecretName $config.WindowsSecretName
    }
    else {
        Write-Log -Level STEP -Message 'Step 3: no Windows KMS host key configured; Windows stays activated by Azure.'
        $script:Summary['Windows'] = 'not a Windows KMS host (activated by Azure)'
    }
    if ($config.Office.Count -gt 0) {
        Install-OfficeKmsHosts -Config $config -HostKeys $hostKeys
    }
    Set-KmsListeningPort -Config $config
    Set-KmsFirewall -Config $config
    Set-KmsDnsPublishing -Config $config
    Restart-SoftwareProtectionService
    Test-KmsHost -Config $config
    Write-Summary -Outcome 'SUCCESS'
    exit 0
}
catch {
    $message = $_.Exception.Message
    $where = ''
    if ($_.InvocationInfo -and $_.InvocationInfo.ScriptLineNumber) { $where = " (line $($_.InvocationInfo.ScriptLineNumber))" }
    Write-Log -Level ERROR -Message "FAILED$where : $message"
    Write-Summary -Outcome 'FAILED'
    exit 1
}
