# Runs powershell/Install-KmsHost.ps1 end to end against a fake Windows: every seam the script keeps
# for Windows-only surfaces (Software Licensing WMI, features, firewall, services, IMDS and Key
# Vault, downloads, the event log, the clock) is mocked by a small in-memory model of that surface,
# so the script's own logic runs for real and each test reads the resulting state back.

Describe 'Install-KmsHost.ps1' {
BeforeAll {
    . (Join-Path $PSScriptRoot '..' '..' 'powershell' 'Install-KmsHost.ps1')
    . (Join-Path $PSScriptRoot 'FakeWindows.ps1')

    # Made-up keys in product-key shape; none is a real key. GVLK is the published 2022 Datacenter one.
    $script:WinHostKey = 'AAAAA-BBBBB-CCCCC-DDDDD-W1HST'
    $script:WinHostKey2 = 'AAAAA-BBBBB-CCCCC-DDDDD-W2HST'
    $script:WinMakKey = 'AAAAA-BBBBB-CCCCC-DDDDD-WMAK1'
    $script:OfficeKey24 = 'AAAAA-BBBBB-CCCCC-DDDDD-O24HS'
    $script:OfficeKey21 = 'AAAAA-BBBBB-CCCCC-DDDDD-O21HS'
    $script:Gvlk = 'WX4NM-KYWYW-QJJR4-XV3QB-6VM33'
    $script:UnknownKey = 'AAAAA-BBBBB-CCCCC-DDDDD-UNKNW'
    $script:AllKeys = @($WinHostKey, $WinHostKey2, $WinMakKey, $OfficeKey24, $OfficeKey21, $UnknownKey, $Gvlk)
    $script:Id24 = 'f3d89bbf-c0ec-47ce-a8fa-e5a5f97e447f'
    $script:Id21 = '47f3b983-7c53-4d45-abc6-bcd91e2dd90a'

    # SoftwareLicensingProduct with its MOF types (LicenseStatus, LicenseStatusReason and
    # IsKeyManagementServiceMachine are uint32):
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
    function New-FakeProduct([string] $Id, [string] $App, [string] $Description, [string] $Partial = $null, [uint32] $Status = 0) {
        [pscustomobject]@{ ID = $Id; ApplicationId = $App; Description = $Description; Name = $Description; PartialProductKey = $Partial; LicenseStatus = [uint32]$Status; LicenseStatusReason = [uint32]0; IsKeyManagementServiceMachine = [uint32]0 }
    }

    function Reset-FakeWindows {
        $script:Fake = @{
            Now           = [datetime]'2027-01-01T00:00:00Z'
            # SoftwareLicensingService with its MOF types (port and counts uint32, publishing boolean):
            # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
            Service       = [pscustomobject]@{ Version = '10.0.20348.1'; KeyManagementServiceListeningPort = [uint32]0; KeyManagementServiceDnsPublishing = $true; KeyManagementServiceCurrentCount = [uint32]0 }
            Products      = [System.Collections.ArrayList]@(
                (New-FakeProduct 'win-client' $WindowsApplicationId 'Windows(R) Operating System, VOLUME_KMSCLIENT channel' '6VM33' 1),
                (New-FakeProduct 'win-host' $WindowsApplicationId 'Windows(R) Operating System, VOLUME_KMS_WS22 channel'),
                (New-FakeProduct 'win-mak' $WindowsApplicationId 'Windows(R) Operating System, VOLUME_MAK channel')
            )
            # Which product each key lands on (by ID); Office ones need their licence first.
            KeyTargets    = @{ $WinHostKey = 'win-host'; $WinHostKey2 = 'win-host'; $WinMakKey = 'win-mak'; $Gvlk = 'win-client'; $OfficeKey24 = $Id24; $OfficeKey21 = $Id21 }
            Calls         = [System.Collections.ArrayList]@()
            Restarts      = 0
            ActivateFails = $false
            Secrets       = @{ 'kms-windows' = $WinHostKey; 'kms-office-2024' = $OfficeKey24; 'kms-office-2021' = $OfficeKey21 }
            ForbiddenUntil = [datetime]::MinValue
            Feature       = [pscustomobject]@{ Installed = $false }
            Rules         = (New-ShippedFirewallRules)
            PackBytes     = [Text.Encoding]::UTF8.GetBytes('pretend Office Volume License Pack')
            # One folder of licences per Windows version, as the packs ship them (names illustrative:
            # Microsoft documents no layout; see Select-PackLicenceFolder).
            PackFolders   = @('Win7', 'Win8.1', 'Win10')
            PackLicences  = @{ 'office-ltsc-2024' = @("licence $Id24", 'licence other-2024-sku'); 'office-ltsc-2021' = @("licence $Id21") }
            Downloads     = [System.Collections.ArrayList]@()
            Events        = [System.Collections.ArrayList]@()
            AclPaths      = [System.Collections.ArrayList]@()
            Caption       = 'Microsoft Windows Server 2022 Datacenter'
        }
        $script:PackSha = (Get-FileHash -InputStream ([IO.MemoryStream]::new($Fake.PackBytes)) -Algorithm SHA256).Hash
    }

    function Find-FakeProduct([string] $Id) { @($Fake.Products | Where-Object { $_.ID -eq $Id }) | Select-Object -First 1 }

    function New-OfficeBase64([object[]] $Entries) {
        [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes((ConvertTo-Json -InputObject @($Entries) -Compress)))
    }
    function New-OfficeEntry([string] $Product, [string] $Secret) {
        [ordered]@{ product = $Product; secretName = $Secret; packUri = "https://download.microsoft.com/download/$Product.exe"; packSha256 = $PackSha.ToLowerInvariant() }
    }

    # Runs the bootstrap with captured stdout/stderr; returns what an operator would see.
    function Invoke-Bootstrap([hashtable] $Parameters = @{}) {
        $arguments = @{ KeyVaultUri = 'https://kv-test.vault.azure.net/'; WindowsKeySecretName = 'kms-windows'; ClientCidrs = '10.0.0.0/8,192.168.1.0/24'; LogPath = (Join-Path $TestDrive 'AzureKmsHost/bootstrap.log') }
        foreach ($k in $Parameters.Keys) { $arguments[$k] = $Parameters[$k] }
        $out = [IO.StringWriter]::new(); $err = [IO.StringWriter]::new()
        $oldOut = [Console]::Out; $oldErr = [Console]::Error
        [Console]::SetOut($out); [Console]::SetError($err)
        try { $code = Invoke-KmsHostBootstrap @arguments }
        finally { [Console]::SetOut($oldOut); [Console]::SetError($oldErr) }
        $log = ''
        if (Test-Path -LiteralPath $arguments.LogPath) { $log = Get-Content -Raw -LiteralPath $arguments.LogPath; Remove-Item -LiteralPath $arguments.LogPath }
        $script:LastRun = [pscustomobject]@{ Code = $code; Out = $out.ToString(); Err = $err.ToString(); Log = $log; Events = @($Fake.Events) }
        $script:LastRun
    }

    function Assert-NoKey($Run, [switch] $SkipErrorRecords) {
        $texts = @($Run.Out, $Run.Err, $Run.Log) + @($Run.Events | ForEach-Object { $_.Message })
        if (-not $SkipErrorRecords) { $texts += @($Error | ForEach-Object { "$_ $($_.Exception.Message)" }) }
        foreach ($key in $AllKeys) {
            foreach ($text in $texts) { $text | Should -Not -Match ([regex]::Escape($key)) }
        }
    }

    # A System.Diagnostics.Process from Start-Process -PassThru. On .NET Framework its ExitCode can
    # read as $null unless the process handle was opened (e.g. by reading .Handle) before it ended
    # (learn.microsoft.com/dotnet/api/system.diagnostics.process.exitcode: "the Process object has no
    # handle"); WaitForExit(ms) returns false while it still runs.
    function New-FakePackProcess([int] $ExitCode, [bool] $Finishes) {
        $process = [pscustomobject]@{ Id = 4242; HandleRead = $false; Finishes = $Finishes; Code = $ExitCode }
        $process | Add-Member -MemberType ScriptProperty -Name Handle -Value { $this.HandleRead = $true; [IntPtr]42 }
        $process | Add-Member -MemberType ScriptProperty -Name ExitCode -Value { if ($this.HandleRead) { $this.Code } else { $null } }
        $process | Add-Member -MemberType ScriptMethod -Name WaitForExit -Value { param($ms) if ($null -eq $ms) { return } ; return $this.Finishes }
        $process
    }

    function Get-CallNames { @($Fake.Calls | ForEach-Object { $_.Method }) }
}

BeforeEach {
    Reset-FakeWindows
    # Each seam's fake imitates what Windows documents for the surface behind it (source above each).
    # The clock and sleeping: [DateTime]::UtcNow and Start-Sleep, simulated time.
    # https://learn.microsoft.com/dotnet/api/system.datetime.utcnow
    Mock Get-UtcNow { $script:Fake.Now }
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/start-sleep
    Mock Wait-Seconds { $script:Fake.Now = $script:Fake.Now.AddSeconds($Seconds) }
    # https://learn.microsoft.com/dotnet/api/system.security.principal.windowsprincipal.isinrole
    Mock Test-IsElevated { $true }
    # Win32_OperatingSystem (Caption string, Version string):
    # https://learn.microsoft.com/windows/win32/cimwin32prov/win32-operatingsystem
    Mock Get-OperatingSystem { [pscustomobject]@{ Caption = $script:Fake.Caption; Version = '10.0.20348' } }
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
    Mock Get-SlService { $script:Fake.Service }
    # WQL over SoftwareLicensingProduct; an unmatched filter returns nothing:
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
    Mock Get-SlProduct {
        if ($Filter -match "^ID = '([^']+)'$") { $id = $Matches[1]; return @($script:Fake.Products | Where-Object { $_.ID -eq $id }) }
        if ($Filter -match "^ApplicationId = '([^']+)' AND PartialProductKey IS NOT NULL$") { $app = $Matches[1]; return @($script:Fake.Products | Where-Object { $_.ApplicationId -eq $app -and $_.PartialProductKey }) }
        throw "fake WMI does not understand filter: $Filter"
    }
    # The Software Licensing methods return ReturnValue 0 (uint32) on success; on failure the
    # provider fails the call and Invoke-CimMethod raises a CimException carrying the HRESULT
    # (New-LicensingError in FakeWindows.ps1). InstallProductKey, InstallLicense, Activate:
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/installproductkey-softwarelicensingservice
    # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/activate-softwarelicensingproduct
    Mock Invoke-SlMethod {
        [void]$script:Fake.Calls.Add([pscustomobject]@{ Method = $MethodName; Target = $InputObject; Arguments = $Arguments })
        $ok = [pscustomobject]@{ ReturnValue = [uint32]0 }
        switch ($MethodName) {
            'InstallProductKey' {
                $target = $script:Fake.KeyTargets[$Arguments.ProductKey]
                if (-not $target) { throw (New-LicensingError '0xC004F050') }
                $product = Find-FakeProduct $target
                if ($null -eq $product) { throw (New-LicensingError '0xC004F015') }
                if ($product.ApplicationId -eq $WindowsApplicationId) { $script:Fake.Products | Where-Object { $_.ApplicationId -eq $WindowsApplicationId } | ForEach-Object { $_.PartialProductKey = $null; $_.LicenseStatus = [uint32]0 } }
                $product.PartialProductKey = $Arguments.ProductKey.Substring(24)
                $product.LicenseStatus = [uint32]0
                return $ok
            }
            'InstallLicense' {
                $id = ($Arguments.License -replace '^licence ', '').Trim()
                if (-not (Find-FakeProduct $id)) { [void]$script:Fake.Products.Add((New-FakeProduct $id $OfficeApplicationId 'Office, VOLUME_KMS channel')) }
                return $ok
            }
            'Activate' {
                if ($script:Fake.ActivateFails) { throw (New-LicensingError '0xC004F074' 'Activate') }
                $InputObject.LicenseStatus = [uint32]1
                if (Test-IsKmsHostProduct -Product $InputObject) { $InputObject.IsKeyManagementServiceMachine = [uint32]1 }
                return $ok
            }
            'SetKeyManagementServiceListeningPort' { $script:Fake.Service.KeyManagementServiceListeningPort = [uint32]$Arguments.PortNumber; return $ok }
            'DisableKeyManagementServiceDnsPublishing' { $script:Fake.Service.KeyManagementServiceDnsPublishing = -not $Arguments.DisablePublishing; return $ok }
            'RefreshLicenseStatus' { return $ok }
            default { throw "fake WMI has no method $MethodName" }
        }
    }
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/restart-service
    Mock Restart-LicensingService { $script:Fake.Restarts++ }
    # Get-WindowsFeature / Install-WindowsFeature (Installed; Success and ExitCode):
    # https://learn.microsoft.com/powershell/module/servermanager/install-windowsfeature
    Mock Get-VolumeActivationFeature { $script:Fake.Feature }
    # https://learn.microsoft.com/powershell/module/servermanager/install-windowsfeature
    Mock Install-VolumeActivationFeature { $script:Fake.Feature.Installed = $true; [pscustomobject]@{ Success = $true; ExitCode = 'Success' } }
    # IMDS (plain http) and Key Vault (https): on Windows PowerShell 5.1 an https call made while
    # TLS 1.2 is not enabled fails in the handshake, a WebException with no Response; an HTTP error
    # status is PowerShell 7's HttpResponseException or 5.1's WebException with a Response.
    # learn.microsoft.com/security/engineering/solving-tls1-problem,
    # learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token,
    # learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
    Mock Invoke-JsonGet {
        if ($Uri -like 'https:*' -and ([int][Net.ServicePointManager]::SecurityProtocol -band [int][Net.SecurityProtocolType]::Tls12) -eq 0) { throw (New-WebExceptionWithoutResponse 'SecureChannelFailure') }
        if ($Uri -like 'http://169.254.169.254/*') { return [pscustomobject]@{ access_token = 'eyJ0-test-token' } }
        if ($Headers.Authorization -ne 'Bearer eyJ0-test-token') { throw (New-HttpError 401) }
        if ($script:Fake.Now -lt $script:Fake.ForbiddenUntil) { throw (New-WebExceptionWithResponse 403) }
        $name = ([Uri]$Uri).AbsolutePath.Split('/')[-1]
        if (-not $script:Fake.Secrets.ContainsKey($name)) { throw (New-HttpError 404) }
        return [pscustomobject]@{ value = $script:Fake.Secrets[$name] }
    }
    # Invoke-WebRequest -OutFile, https only with TLS 1.2 on 5.1 (as above):
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/invoke-webrequest
    Mock Save-WebFile {
        if (([int][Net.ServicePointManager]::SecurityProtocol -band [int][Net.SecurityProtocolType]::Tls12) -eq 0) { throw (New-WebExceptionWithoutResponse 'SecureChannelFailure') }
        [void]$script:Fake.Downloads.Add($Uri); [IO.File]::WriteAllBytes($OutFile, $script:Fake.PackBytes)
    }
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.security/get-authenticodesignature
    Mock Get-PackSignature { [pscustomobject]@{ Status = 'Valid'; SignerCertificate = [pscustomobject]@{ Subject = 'CN=Microsoft Corporation, O=Microsoft Corporation, L=Redmond, S=Washington, C=US' } } }
    # The pack's files in per-OS folders (Fake.PackFolders). Microsoft documents only running the
    # pack (learn.microsoft.com/office/volume-license-activation/configure-a-kms-host-computer-for-office);
    # the folder-per-OS layout is what the extracted packs hold (see Select-PackLicenceFolder).
    Mock Expand-VolumeLicensePack {
        $product = [IO.Path]::GetFileName($Destination) -replace '-extracted$', ''
        $i = 0
        foreach ($folder in $script:Fake.PackFolders) {
            $dir = Join-Path $Destination $folder
            New-Item -ItemType Directory -Path $dir -Force | Out-Null
            foreach ($licence in @($script:Fake.PackLicences[$product])) { $i++; Set-Content -LiteralPath (Join-Path $dir "licence$i.xrm-ms") -Value $licence }
        }
        return 0
    }
    # The pack's process (Start-Process -PassThru), its children (Win32_Process) and Stop-Process:
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/start-process
    Mock Start-PackProcess { New-FakePackProcess -ExitCode 0 -Finishes $true }
    # https://learn.microsoft.com/windows/win32/cimwin32prov/win32-process
    Mock Get-ChildProcessIds { @() }
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.management/stop-process
    Mock Stop-ProcessById { }
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.security/set-acl
    Mock Set-AdministratorsOnlyAcl { [void]$script:Fake.AclPaths.Add($Path) }
    # https://learn.microsoft.com/dotnet/api/system.io.path.gettemppath
    Mock Get-WorkRoot { $script:WorkRoot }
    $script:WorkRoot = Join-Path $TestDrive ('work-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $script:WorkRoot | Out-Null
    # Get-NetFirewallRule and its address and port filters; the rules start in their shipped state
    # (New-ShippedFirewallRules in FakeWindows.ps1):
    # https://learn.microsoft.com/powershell/module/netsecurity/get-netfirewallrule
    Mock Get-FirewallRule {
        $rule = $script:Fake.Rules[$Name]
        if ($null -eq $rule) { return $null }
        [pscustomobject]@{ Name = $Name; Enabled = $rule.Enabled; RemoteAddress = @($rule.RemoteAddress); LocalPort = @($rule.LocalPort) }
    }
    # https://learn.microsoft.com/powershell/module/netsecurity/set-netfirewallrule
    Mock Set-FirewallRule { $script:Fake.Rules[$Name].Enabled = $Enabled; $script:Fake.Rules[$Name].RemoteAddress = @($RemoteAddress); $script:Fake.Rules[$Name].Profile = @('Any') }
    # https://learn.microsoft.com/powershell/module/netsecurity/new-netfirewallrule
    Mock New-OwnFirewallRule { $script:Fake.Rules[$Name] = @{ Enabled = $true; RemoteAddress = @($RemoteAddress); LocalPort = @([string]$Port); Profile = @('Any') } }
    # https://learn.microsoft.com/powershell/module/netsecurity/remove-netfirewallrule
    Mock Remove-OwnFirewallRule { $script:Fake.Rules.Remove($Name) }
    # Get-NetTCPConnection -State Listen: sppsvc listens on the KMS port once KMS is enabled.
    # https://learn.microsoft.com/powershell/module/nettcpip/get-nettcpconnection
    Mock Test-PortListening { $Port -eq [int](Get-EffectiveKmsPort) }
    # The shared checks' record seams, unused by the bootstrap's verification (it writes the record):
    # https://learn.microsoft.com/dotnet/api/system.diagnostics.eventlog.sourceexists
    Mock Test-EventSourcePresent { $true }
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.diagnostics/get-winevent
    Mock Get-LastBootstrapEvent { $null }
    # https://learn.microsoft.com/dotnet/api/system.diagnostics.eventlog.writeentry
    Mock Write-ApplicationEvent { [void]$script:Fake.Events.Add([pscustomobject]@{ Source = $Source; EventId = $EventId; EntryType = $EntryType; Message = $Message }) }
    # .NET Framework 4.x's default offers no TLS 1.2 unless told (solving-tls1-problem above).
    $script:SavedProtocol = [Net.ServicePointManager]::SecurityProtocol
    [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls
    $Error.Clear()
    $script:LastRun = $null
    $script:ErrorRecordsCarryKey = $false
}

# On every path: no key in stdout, stderr, the log file, an event or an error record.
AfterEach {
    [Net.ServicePointManager]::SecurityProtocol = $script:SavedProtocol
    if ($script:LastRun) { Assert-NoKey $script:LastRun -SkipErrorRecords:$script:ErrorRecordsCarryKey }
}

Describe 'Install-KmsHost.ps1 on a Windows-only host' {
    It 'installs the role, installs the Windows KMS host key, restarts the service, then activates' {
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        $Fake.Feature.Installed | Should -BeTrue
        (Find-FakeProduct 'win-host').PartialProductKey | Should -Be 'W1HST'
        (Find-FakeProduct 'win-host').LicenseStatus | Should -Be 1
        $names = Get-CallNames
        $names | Should -Contain 'InstallProductKey'
        $names.IndexOf('Activate') | Should -BeGreaterThan $names.IndexOf('InstallProductKey')
        $Fake.Restarts | Should -BeGreaterOrEqual 1
        # Once after the key install (before Activate), once after the port/DNS changes.
        Should -Invoke Restart-LicensingService -Times 2 -Exactly
    }

    It 'installs the key through InstallProductKey with the key as the only argument' {
        Invoke-Bootstrap | Out-Null
        $install = @($Fake.Calls | Where-Object { $_.Method -eq 'InstallProductKey' })
        $install.Count | Should -Be 1
        @($install[0].Arguments.Keys) | Should -Be @('ProductKey')
    }

    It 'turns DNS publishing off and scopes both built-in firewall rules to the client ranges' {
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        $Fake.Service.KeyManagementServiceDnsPublishing | Should -BeFalse
        $Fake.Rules['SPPSVC-In-TCP'].Enabled | Should -BeTrue
        $Fake.Rules['SPPSVC-In-TCP'].RemoteAddress | Should -Be @('10.0.0.0/8', '192.168.1.0/24')
        $Fake.Rules['SPPSVC-In-TCP-NoScope'].RemoteAddress | Should -Be @('10.0.0.0/8', '192.168.1.0/24')
        $Fake.Rules.ContainsKey('AzureKmsHost-KMS-In-TCP') | Should -BeFalse
    }

    It 'leaves DNS publishing on when asked to' {
        (Invoke-Bootstrap @{ DisableDnsPublishing = 'false' }).Code | Should -Be 0
        $Fake.Service.KeyManagementServiceDnsPublishing | Should -BeTrue
        Get-CallNames | Should -Not -Contain 'DisableKeyManagementServiceDnsPublishing'
    }

    It 'writes event 1000 from source AzureKmsHost with the summary' {
        $run = Invoke-Bootstrap
        $run.Events.Count | Should -Be 1
        $run.Events[0].Source | Should -Be 'AzureKmsHost'
        $run.Events[0].EventId | Should -Be 1000
        $run.Events[0].EntryType | Should -Be 'Information'
        $run.Events[0].Message | Should -Match 'succeeded'
        $run.Events[0].Message | Should -Match '\*\*\*\*\*-\*\*\*\*\*-\*\*\*\*\*-\*\*\*\*\*-W1HST'
    }

    It 'prints nothing on stderr and never a key anywhere' {
        $run = Invoke-Bootstrap
        $run.Err | Should -BeNullOrEmpty
        $run.Out | Should -Match 'SUCCESS'
        Assert-NoKey $run
    }

    It 'logs the revision it runs for' {
        (Invoke-Bootstrap @{ Revision = '7' }).Out | Should -Match 'bootstrap revision 7'
    }
}

Describe 'Install-KmsHost.ps1 on a second run' {
    It 'changes nothing: no key reinstalled, no activation spent, no restart' {
        (Invoke-Bootstrap).Code | Should -Be 0
        $Fake.Calls.Clear(); $Fake.Restarts = 0
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        Get-CallNames | Should -BeNullOrEmpty
        $Fake.Restarts | Should -Be 0
        Should -Invoke Install-VolumeActivationFeature -Times 1 -Exactly
        Should -Invoke Set-FirewallRule -Times 2 -Exactly
    }

    It 'with Office too, downloads no pack the second time' {
        $office = New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))
        (Invoke-Bootstrap @{ OfficeProductsBase64 = $office }).Code | Should -Be 0
        $Fake.Calls.Clear(); $Fake.Downloads.Clear()
        (Invoke-Bootstrap @{ OfficeProductsBase64 = $office }).Code | Should -Be 0
        $Fake.Downloads.Count | Should -Be 0
        Get-CallNames | Should -BeNullOrEmpty
    }
}

Describe 'Install-KmsHost.ps1 with a rotated key' {
    It 'installs the new key from the secret and activates it' {
        (Invoke-Bootstrap).Code | Should -Be 0
        $Fake.Secrets['kms-windows'] = $WinHostKey2
        $Fake.Calls.Clear()
        $run = Invoke-Bootstrap @{ Revision = '2' }
        $run.Code | Should -Be 0
        (Find-FakeProduct 'win-host').PartialProductKey | Should -Be 'W2HST'
        (Find-FakeProduct 'win-host').LicenseStatus | Should -Be 1
        Get-CallNames | Should -Contain 'Activate'
        Assert-NoKey $run
    }
}

Describe 'Install-KmsHost.ps1 with Office' {
    It 'Office only: installs the pack licences, the Office key, activates, and leaves Windows alone' {
        $office = New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))
        $run = Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = $office }
        $run.Code | Should -Be 0
        (Find-FakeProduct $Id24).LicenseStatus | Should -Be 1
        (Find-FakeProduct 'win-client').PartialProductKey | Should -Be '6VM33'
        (Find-FakeProduct 'win-host').PartialProductKey | Should -BeNullOrEmpty
        @($Fake.Calls | Where-Object { $_.Method -eq 'InstallLicense' }).Count | Should -Be 2
        $run.Out | Should -Match 'Windows stays activated by Azure'
        Assert-NoKey $run
    }

    It 'Windows and two Office versions: packs are installed oldest version first' {
        $office = New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'), (New-OfficeEntry 'office-ltsc-2021' 'kms-office-2021'))
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = $office }
        $run.Code | Should -Be 0
        $Fake.Downloads | Should -Be @('https://download.microsoft.com/download/office-ltsc-2021.exe', 'https://download.microsoft.com/download/office-ltsc-2024.exe')
        (Find-FakeProduct $Id21).LicenseStatus | Should -Be 1
        (Find-FakeProduct $Id24).LicenseStatus | Should -Be 1
        (Find-FakeProduct 'win-host').LicenseStatus | Should -Be 1
        Assert-NoKey $run
    }

    It 'restarts the licensing service after the licences and the key are installed, before activation' {
        $office = New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))
        Mock Restart-LicensingService { $script:Fake.Restarts++; [void]$script:Fake.Calls.Add([pscustomobject]@{ Method = 'restart' }) }
        (Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = $office }).Code | Should -Be 0
        $names = Get-CallNames
        $names.IndexOf('restart') | Should -BeGreaterThan ([array]::LastIndexOf($names, 'InstallLicense'))
        $beforeActivate = $names[0..$names.IndexOf('Activate')]
        [array]::LastIndexOf($beforeActivate, 'restart') | Should -BeGreaterThan $names.IndexOf('InstallProductKey')
    }

    It 'works in a new, unpredictably named folder locked to administrators, and deletes it after use' {
        $office = New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))
        (Invoke-Bootstrap @{ OfficeProductsBase64 = $office }).Code | Should -Be 0
        $Fake.AclPaths[0] | Should -Match ([regex]::Escape($WorkRoot) + '.AzureKmsHost-[0-9a-f]{32}$')
        $Fake.AclPaths[1] | Should -Be (Join-Path $Fake.AclPaths[0] 'office-ltsc-2024-extracted')
        @(Get-ChildItem -LiteralPath $WorkRoot -Force).Count | Should -Be 0
        Should -Invoke Save-WebFile -Times 1 -Exactly -ParameterFilter { $OutFile.StartsWith($script:Fake.AclPaths[0]) }
    }

    It 'refuses a work folder that already exists or gains files before it is locked' {
        $existing = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'existing') -Force
        { New-ProtectedFolder -Path $existing.FullName } | Should -Throw '*already exists*'
        Mock Set-AdministratorsOnlyAcl { Set-Content -LiteralPath (Join-Path $Path 'planted.exe') -Value 'x' }
        { New-ProtectedFolder -Path (Join-Path $TestDrive 'fresh') } | Should -Throw '*gained files before it was locked down*'
    }

    It 'refuses a pack whose hash differs, deletes it and never extracts it' {
        $entry = New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'
        $entry.packSha256 = 'ab' * 32
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @($entry)) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'SHA-256 mismatch'
        Should -Invoke Expand-VolumeLicensePack -Times 0 -Exactly
        @(Get-ChildItem -LiteralPath $WorkRoot -Force).Count | Should -Be 0
    }

    It 'refuses a pack signed by someone other than Microsoft' {
        Mock Get-PackSignature { [pscustomobject]@{ Status = 'Valid'; SignerCertificate = [pscustomobject]@{ Subject = 'CN=Someone, O=Someone Else' } } }
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'not Microsoft'
    }

    It 'accepts an unsigned pack on the strength of its hash pin, with a warning' {
        Mock Get-PackSignature { [pscustomobject]@{ Status = 'NotSigned'; SignerCertificate = $null } }
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 0
        $run.Out | Should -Match 'not Authenticode-signed'
    }

    It 'fails with advice when the pack yields no licence files' {
        $Fake.PackLicences['office-ltsc-2024'] = @()
        $run = Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'yielded no licence files'
        Get-CallNames | Should -Not -Contain 'InstallProductKey'
    }

    It 'fails with advice when the pack has licences but not the KMS host licence of that version' {
        $Fake.PackLicences['office-ltsc-2024'] = @('licence some-other-sku')
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'KMS host licence f3d89bbf'
    }

    It 'stops an extraction that runs past its time and says so' {
        Mock Expand-VolumeLicensePack { -1 }
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'did not finish within'
    }

    It 'retries a failing download and reports it with advice' {
        Mock Save-WebFile { throw (New-HttpError 503) }
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'Could not download .* \(HTTP 503\)'
        Should -Invoke Save-WebFile -Times 3
    }

    It 'fails with advice when the Office KMS host licence is missing when its key is to be installed' {
        $entry = [pscustomobject]@{ Product = 'office-ltsc-2024'; ActivationId = 'F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F'; SecretName = 'kms-office-2024' }
        { Install-OfficeKmsHostKey -Entry $entry -HostKey $OfficeKey24 } | Should -Throw '*is not installed, so its key cannot be*'
        Get-CallNames | Should -BeNullOrEmpty
    }

    It 'fails with advice when the product disappears before activation' {
        Mock Get-LicensingProduct { $null } -ParameterFilter { $ActivationId -eq 'win-host' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'no longer lists product win-host'
    }

    It 'fails when the Office key does not attach to the KMS host licence' {
        $Fake.KeyTargets[$OfficeKey24] = 'win-mak'
        $run = Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'not attached to KMS host licence'
        Assert-NoKey $run
    }
}

Describe 'Install-KmsHost.ps1 and the Volume License Pack, defensively' {
    It 'installs only the licences of the folder for the host''s OS and logs which files' {
        $office = New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))
        $run = Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = $office }
        $run.Code | Should -Be 0
        @($Fake.Calls | Where-Object { $_.Method -eq 'InstallLicense' }).Count | Should -Be 2
        $run.Out | Should -Match 'licence folder Win10 \(of Win10, Win7, Win8\.1\)'
        $run.Out | Should -Match 'Win10.licence\d\.xrm-ms'
        $run.Out | Should -Not -Match 'InstallLicense.*Win7'
    }

    It 'fails naming the folders, and the one-time check, when no folder fits the host''s OS' {
        $Fake.PackFolders = @('Win7', 'Win8.1')
        $run = Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'licence folders Win7, Win8\.1 and no licence folder for Windows 10\.0'
        @($Fake.Calls | Where-Object { $_.Method -eq 'InstallLicense' }).Count | Should -Be 0
    }

    It 'after a timeout, checks whether the KMS host licence is present before failing' {
        Mock Expand-VolumeLicensePack { [void]$script:Fake.Products.Add((New-FakeProduct $Id24 $OfficeApplicationId 'Office, VOLUME_KMS channel')); -1 }
        $run = Invoke-Bootstrap @{ WindowsKeySecretName = ''; OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 0
        $run.Out | Should -Match 'did not finish within .* KMS host licence .* is present'
    }

    It 'stops the whole process tree of a pack that overruns, deepest first' {
        # Win32_Process rows (ProcessId, ParentProcessId): 10 -> 11 -> 12, 10 -> 13.
        $script:Tree = @{ 10 = @(11, 13); 11 = @(12) }
        Mock Get-ChildProcessIds { if ($script:Tree.ContainsKey([int]$ParentId)) { $script:Tree[[int]$ParentId] } }
        $script:Stopped = [System.Collections.ArrayList]@()
        Mock Stop-ProcessById { [void]$script:Stopped.Add($Id) }
        Stop-ProcessTree -Id 10
        @($script:Stopped) | Should -Be @(12, 11, 13, 10)
    }

    It 'reads the exit code of a pack that finished, even where ExitCode needs the handle cached first' {
        Mock Start-PackProcess { New-FakePackProcess -ExitCode 3 -Finishes $true }
        # The function itself, not the mock that shadows it in the other tests.
        & (Get-Command -Name Expand-VolumeLicensePack -CommandType Function).ScriptBlock -Path 'pack.exe' -Destination 'x' -TimeoutSeconds 5 | Should -Be 3
    }

    It 'stops an overrunning pack and returns -1' {
        Mock Start-PackProcess { New-FakePackProcess -ExitCode 0 -Finishes $false }
        Mock Stop-ProcessTree { }
        & (Get-Command -Name Expand-VolumeLicensePack -CommandType Function).ScriptBlock -Path 'pack.exe' -Destination 'x' -TimeoutSeconds 5 | Should -Be -1
        Should -Invoke Stop-ProcessTree -Times 1 -Exactly -ParameterFilter { $Id -eq 4242 }
    }
}

Describe 'Install-KmsHost.ps1 and Key Vault' {
    It 'retries HTTP 403 for several minutes while the role assignment propagates, then succeeds' {
        $Fake.ForbiddenUntil = $Fake.Now.AddMinutes(11)
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        $run.Out | Should -Match 'HTTP 403'
        ($Fake.Now - [datetime]'2027-01-01T00:00:00Z').TotalMinutes | Should -BeGreaterOrEqual 11
    }

    It 'gives up on 403 after about 15 minutes with the role to grant' {
        $Fake.ForbiddenUntil = $Fake.Now.AddHours(2)
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match "Key Vault Secrets User"
        $waited = ($Fake.Now - [datetime]'2027-01-01T00:00:00Z').TotalMinutes
        $waited | Should -BeGreaterThan 13
        $waited | Should -BeLessOrEqual 15
        Get-CallNames | Should -BeNullOrEmpty
    }

    It 'fails at once on a missing secret, telling how to upload it, before changing anything' {
        $Fake.Secrets.Remove('kms-windows')
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match "Secret 'kms-windows' was not found in Key Vault 'kv-test'"
        $run.Err | Should -Match 'az keyvault secret set'
        Should -Invoke Wait-Seconds -Times 0 -Exactly
        Get-CallNames | Should -BeNullOrEmpty
    }

    It 'refuses a secret that is not shaped like a product key without echoing it' {
        $Fake.Secrets['kms-windows'] = 'not-a-key'
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'does not look like a product key'
        $run.Err | Should -Not -Match 'NOT-A-KEY'
    }

    It 'fails with advice when the instance metadata service has no token' {
        Mock Invoke-JsonGet { [pscustomobject]@{ other = 1 } } -ParameterFilter { $Uri -like 'http://169.254.169.254/*' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'managed identity'
    }

    It 'fails with advice when the instance metadata service stays unreachable' {
        Mock Invoke-JsonGet { throw (New-HttpError 400) } -ParameterFilter { $Uri -like 'http://169.254.169.254/*' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'instance metadata service \(HTTP 400\)'
    }

    It 'reports other Key Vault errors with their status' {
        Mock Invoke-JsonGet { throw (New-HttpError 400) } -ParameterFilter { $Uri -like 'https://kv-test*' }
        $run = Invoke-Bootstrap
        $run.Err | Should -Match 'HTTP 400'
    }

    It 'fails on an empty secret' {
        Mock Invoke-JsonGet { [pscustomobject]@{ value = '' } } -ParameterFilter { $Uri -like 'https://kv-test*' }
        (Invoke-Bootstrap).Err | Should -Match 'is empty'
    }
}

Describe 'Install-KmsHost.ps1 on Windows PowerShell 5.1 networking' {
    It 'switches TLS 1.2 on before its first HTTPS call (Key Vault), not only for the pack download' {
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        ([int][Net.ServicePointManager]::SecurityProtocol -band [int][Net.SecurityProtocolType]::Tls12) | Should -Not -Be 0
    }

    It 'retries the instance metadata service on <Status>, as Microsoft advises for 5xx' -ForEach @(@{ Status = 502 }, @{ Status = 504 }, @{ Status = 429 }, @{ Status = 404 }) {
        $script:ImdsFailures = 2
        Mock Invoke-JsonGet {
            if ($script:ImdsFailures-- -gt 0) { throw (New-WebExceptionWithResponse $Status) }
            [pscustomobject]@{ access_token = 'eyJ0-test-token' }
        } -ParameterFilter { $Uri -like 'http://169.254.169.254/*' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        Should -Invoke Invoke-JsonGet -Times 3 -Exactly -ParameterFilter { $Uri -like 'http://169.254.169.254/*' }
    }

    It 'reads the status of a Windows PowerShell 5.1 WebException with a response (403 retried)' {
        $Fake.ForbiddenUntil = $Fake.Now.AddMinutes(2)
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        $run.Out | Should -Match 'HTTP 403'
    }

    It 'names a failure without any HTTP response by its WebException status, never "HTTP 0"' {
        Mock Invoke-JsonGet { throw (New-WebExceptionWithoutResponse 'NameResolutionFailure') } -ParameterFilter { $Uri -like 'https://kv-test*' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'no HTTP response \(NameResolutionFailure\)'
        $run.Err | Should -Not -Match 'HTTP 0'
    }
}

Describe 'Install-KmsHost.ps1 with a non-host key in the Windows secret' {
    It 'restores the edition''s published client key (GVLK), then fails with advice' {
        $Fake.Secrets['kms-windows'] = $WinMakKey
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'not a KMS host key'
        $run.Err | Should -Match 'GVLK\) was restored'
        (Find-FakeProduct 'win-client').PartialProductKey | Should -Be '6VM33'
        (Find-FakeProduct 'win-mak').PartialProductKey | Should -BeNullOrEmpty
        Get-CallNames | Should -Not -Contain 'Activate'
        Assert-NoKey $run
    }

    It 'says how to restore the client key when the edition is unknown' {
        $Fake.Secrets['kms-windows'] = $WinMakKey
        $Fake.Caption = 'Microsoft Windows Server 2012 R2 Datacenter'
        (Invoke-Bootstrap).Err | Should -Match 'kms-client-activation-keys'
    }

    It 'reports a key the licensing service rejects with the code and its meaning' {
        $Fake.Secrets['kms-windows'] = $UnknownKey
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match '0xC004F050'
        $run.Err | Should -Match 'product key is invalid'
        $run.Err | Should -Not -Match 'AAAAA-BBBBB'
    }
}

Describe 'Install-KmsHost.ps1 failure semantics' {
    It 'treats an activation error as a failure, with advice on stderr, in the log and in event 1001' {
        $Fake.ActivateFails = $true
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match '0xC004F074'
        $run.Err | Should -Match 'bump kms.bootstrapRevision'
        $run.Log | Should -Match 'FAILED'
        $run.Events.Count | Should -Be 1
        $run.Events[0].EventId | Should -Be 1001
        $run.Events[0].EntryType | Should -Be 'Error'
        $run.Events[0].Message | Should -Match 'bump kms.bootstrapRevision'
        Assert-NoKey $run
    }

    It 'treats a licensing method that throws as a failure, masking any key in the exception' {
        Mock Invoke-SlMethod { throw [Exception]::new("provider failed for $script:WinHostKey") } -ParameterFilter { $MethodName -eq 'InstallProductKey' }
        # $Error holds the fake provider's own exception, which carries the key on purpose.
        $script:ErrorRecordsCarryKey = $true
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'no error code'
        $run.Err | Should -Match 'provider failed for \*\*\*\*\*-'
        # $Error holds the fake provider's own exception (which carries the key on purpose).
        Assert-NoKey $run -SkipErrorRecords
    }

    It 'reads the error code out of a CIM error record' {
        $exception = [Exception]::new('outer', [Exception]::new('Error 0xC004C008 from provider'))
        $record = [System.Management.Automation.ErrorRecord]::new($exception, 'x', 'NotSpecified', $null)
        Get-LicensingErrorCode -ErrorRecord $record | Should -Be '0xC004C008'
        $plain = [System.Management.Automation.ErrorRecord]::new([Exception]::new('nothing'), 'x', 'NotSpecified', $null)
        Get-LicensingErrorCode -ErrorRecord $plain | Should -Be ''
    }

    It 'fails when the product is still unlicensed after Activate reports success' {
        Mock Invoke-SlMethod { [pscustomobject]@{ ReturnValue = [uint32]0 } } -ParameterFilter { $MethodName -eq 'Activate' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 1
        $run.Err | Should -Match 'licence status is 0'
    }

    It 'fails when the port does not read back as set' {
        Mock Invoke-SlMethod { [pscustomobject]@{ ReturnValue = [uint32]0 } } -ParameterFilter { $MethodName -eq 'SetKeyManagementServiceListeningPort' }
        (Invoke-Bootstrap @{ KmsPort = '1690' }).Err | Should -Match 'reports port 1688, not 1690'
    }

    It 'fails when DNS publishing does not read back as set' {
        Mock Invoke-SlMethod { [pscustomobject]@{ ReturnValue = [uint32]0 } } -ParameterFilter { $MethodName -eq 'DisableKeyManagementServiceDnsPublishing' }
        (Invoke-Bootstrap).Err | Should -Match 'still reports publishing'
    }

    It 'stops at the total deadline instead of running into the Run Command timeout' {
        Mock Get-UtcNow { $script:Fake.Now = $script:Fake.Now.AddMinutes(20); $script:Fake.Now }
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @((New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'))) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match '75-minute budget'
    }

    It 'keeps going when the event cannot be written' {
        Mock Write-ApplicationEvent { throw 'no event log here' }
        $run = Invoke-Bootstrap
        $run.Code | Should -Be 0
        $run.Out | Should -Match 'could not write event 1000'
    }

    It 'fails when the role cannot be installed' {
        Mock Install-VolumeActivationFeature { [pscustomobject]@{ Success = $false; ExitCode = 'Failed' } }
        (Invoke-Bootstrap).Err | Should -Match 'dism.log'
    }

    It 'fails when the role does not exist' {
        Mock Get-VolumeActivationFeature { $null }
        (Invoke-Bootstrap).Err | Should -Match 'does not exist on this Windows edition'
    }

    It 'refuses Azure Edition, which cannot be a KMS host' {
        $Fake.Caption = 'Microsoft Windows Server 2022 Datacenter: Azure Edition'
        (Invoke-Bootstrap).Err | Should -Match 'Azure Edition cannot be a KMS host'
    }

    It 'refuses to run without administrative rights' {
        Mock Test-IsElevated { $false }
        (Invoke-Bootstrap).Err | Should -Match 'administrative rights'
    }

    It 'fails verification when the KMS host product is not a KMS machine' {
        Mock Invoke-SlMethod { $InputObject.LicenseStatus = 1; [pscustomobject]@{ ReturnValue = [uint32]0 } } -ParameterFilter { $MethodName -eq 'Activate' }
        (Invoke-Bootstrap).Err | Should -Match 'Key Management Service is not enabled'
    }

    It 'writes a log line even when the log file cannot be written' {
        Mock Add-Content { throw 'disk full' }
        (Invoke-Bootstrap).Out | Should -Match 'could not write to the log file'
    }
}

Describe 'Install-KmsHost.ps1 port and firewall' {
    It 'sets a non-default port through WMI and admits it with a rule of its own, scoped the same way' {
        $run = Invoke-Bootstrap @{ KmsPort = '1690' }
        $run.Code | Should -Be 0
        $Fake.Service.KeyManagementServiceListeningPort | Should -Be 1690
        $Fake.Rules['AzureKmsHost-KMS-In-TCP'].LocalPort | Should -Be @('1690')
        $Fake.Rules['AzureKmsHost-KMS-In-TCP'].RemoteAddress | Should -Be @('10.0.0.0/8', '192.168.1.0/24')
        $Fake.Rules['SPPSVC-In-TCP-NoScope'].RemoteAddress | Should -Be @('10.0.0.0/8', '192.168.1.0/24')
    }

    It 'removes its own rule when the port goes back to the default' {
        (Invoke-Bootstrap @{ KmsPort = '1690' }).Code | Should -Be 0
        (Invoke-Bootstrap @{ KmsPort = '1688' }).Code | Should -Be 0
        $Fake.Rules.ContainsKey('AzureKmsHost-KMS-In-TCP') | Should -BeFalse
        $Fake.Service.KeyManagementServiceListeningPort | Should -Be 1688
    }

    It 'accepts client ranges written with spaces' {
        $run = Invoke-Bootstrap @{ ClientCidrs = ' 10.0.0.0/8 ,  192.168.1.0/24  172.16.0.0/12 ' }
        $run.Code | Should -Be 0
        $Fake.Rules['SPPSVC-In-TCP'].RemoteAddress | Should -Be @('10.0.0.0/8', '192.168.1.0/24', '172.16.0.0/12')
    }

    It 'reads ranges back in the mask notation Windows Firewall reports' {
        (Invoke-Bootstrap).Code | Should -Be 0
        $Fake.Rules['SPPSVC-In-TCP'].RemoteAddress = @('10.0.0.0/255.0.0.0', '192.168.1.0/255.255.255.0')
        $Fake.Rules['SPPSVC-In-TCP-NoScope'].RemoteAddress = @('10.0.0.0/255.0.0.0', '192.168.1.0/255.255.255.0')
        (Invoke-Bootstrap).Code | Should -Be 0
        Should -Invoke Set-FirewallRule -Times 2 -Exactly
    }

    It 'fails when a rule cannot be scoped' {
        Mock Set-FirewallRule { }
        (Invoke-Bootstrap).Err | Should -Match "still admits 'LocalSubnet'"
    }

    It 'fails when the built-in rule is missing, and tolerates a missing NoScope rule' {
        $Fake.Rules.Remove('SPPSVC-In-TCP-NoScope')
        (Invoke-Bootstrap).Code | Should -Be 0
        $Fake.Rules.Remove('SPPSVC-In-TCP')
        (Invoke-Bootstrap).Err | Should -Match "Firewall rule 'SPPSVC-In-TCP' not found"
    }

    It 'fails when its own rule does not come out as asked' {
        Mock New-OwnFirewallRule { }
        (Invoke-Bootstrap @{ KmsPort = '1690' }).Err | Should -Match 'could not be created as asked'
    }

    It 'normalises single addresses and IPv6 ranges' {
        ConvertTo-NormalizedAddress -Address '10.1.2.3' | Should -Be '10.1.2.3/32'
        ConvertTo-NormalizedAddress -Address 'FD00::/8' | Should -Be 'fd00::/8'
        Test-SameAddresses -Actual @('10.0.0.0/255.0.0.0') -Expected @('10.0.0.0/8') | Should -BeTrue
        Test-SameAddresses -Actual @('Any') -Expected @('10.0.0.0/8') | Should -BeFalse
    }
}

Describe 'Install-KmsHost.ps1 parameters' {
    It 'rejects <Name> with a message naming the parameter and the fix' -ForEach @(
        @{ Name = 'a missing vault'; Parameters = @{ KeyVaultUri = '' }; Pattern = 'KeyVaultUri .* is not an https URL' }
        @{ Name = 'a bad secret name'; Parameters = @{ WindowsKeySecretName = 'bad_name' }; Pattern = 'WindowsKeySecretName' }
        @{ Name = 'a bad port'; Parameters = @{ KmsPort = '70000' }; Pattern = 'KmsPort .* is not a TCP port' }
        @{ Name = 'no client ranges'; Parameters = @{ ClientCidrs = ' ' }; Pattern = 'ClientCidrs is empty' }
        @{ Name = 'a bad range'; Parameters = @{ ClientCidrs = '10.0.0.0/33' }; Pattern = "ClientCidrs entry '10.0.0.0/33'" }
        @{ Name = 'a bad DNS flag'; Parameters = @{ DisableDnsPublishing = 'yes' }; Pattern = 'must be true or false' }
        @{ Name = 'nothing to do'; Parameters = @{ WindowsKeySecretName = '' }; Pattern = 'Nothing to do' }
        @{ Name = 'Office text that is not base64'; Parameters = @{ OfficeProductsBase64 = '[{"product":1}]' }; Pattern = 'is not base64' }
        @{ Name = 'base64 that is not an array'; Parameters = @{ OfficeProductsBase64 = 'e30=' }; Pattern = 'does not decode to a JSON array' }
        @{ Name = 'base64 that is not JSON'; Parameters = @{ OfficeProductsBase64 = 'W3g=' }; Pattern = 'does not decode to valid JSON' }
    ) {
        $run = Invoke-Bootstrap $Parameters
        $run.Code | Should -Be 1
        $run.Err | Should -Match $Pattern
        Get-CallNames | Should -BeNullOrEmpty
        Should -Invoke Install-VolumeActivationFeature -Times 0 -Exactly
    }

    It 'rejects Office entries that are <Name>' -ForEach @(
        @{ Name = 'missing a field'; Change = { param($e) $e.Remove('packUri') }; Pattern = "has no 'packUri'" }
        @{ Name = 'an unknown product'; Change = { param($e) $e.product = 'office-2010' }; Pattern = "product 'office-2010' is not supported" }
        @{ Name = 'a bad secret name'; Change = { param($e) $e.secretName = 'x y' }; Pattern = 'is not a Key Vault secret name' }
        @{ Name = 'a plain http pack'; Change = { param($e) $e.packUri = 'http://example.com/p.exe' }; Pattern = 'must be an https URL' }
        @{ Name = 'a short hash'; Change = { param($e) $e.packSha256 = 'abc' }; Pattern = '64 hexadecimal' }
    ) {
        $entry = New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'
        & $Change $entry
        $run = Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @($entry)) }
        $run.Code | Should -Be 1
        $run.Err | Should -Match $Pattern
    }

    It 'rejects the same Office version twice' {
        $entry = New-OfficeEntry 'office-ltsc-2024' 'kms-office-2024'
        (Invoke-Bootstrap @{ OfficeProductsBase64 = (New-OfficeBase64 @($entry, $entry)) }).Err | Should -Match 'twice'
    }

    It 'decodes the product list the Terraform side writes (base64 of compact JSON)' {
        $json = '[{"product":"office-ltsc-2021","secretName":"s1","packUri":"https://d/p.exe","packSha256":"' + ('0' * 64) + '"}]'
        $entries = @(ConvertFrom-OfficeProductsBase64 -Encoded ([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))) -SecretNamePattern '^[0-9A-Za-z-]{1,127}$')
        $entries.Count | Should -Be 1
        $entries[0].ActivationId | Should -Be '47F3B983-7C53-4D45-ABC6-BCD91E2DD90A'
    }
}

Describe 'Install-KmsHost.ps1 run as a script, as the Run Command runs it' {
    It 'takes its parameters from the command line, decodes the base64 Office list, and exits 1 with advice on stderr' {
        # A real child process: the script's own parameter binding, main guard and exit code. It
        # fails in step 0 on purpose (an unsupported Office version), before anything Windows-only.
        $json = '[{"product":"office-2010","secretName":"s","packUri":"https://d/p.exe","packSha256":"' + ('0' * 64) + '"}]'
        $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json + '   '))
        $script = Join-Path $PSScriptRoot '..' '..' 'powershell' 'Install-KmsHost.ps1'
        $log = Join-Path $TestDrive 'child/bootstrap.log'
        $stderr = Join-Path $TestDrive 'stderr.txt'
        # This PowerShell, whether a native pwsh or (as a .NET tool) pwsh.dll hosted by dotnet.
        $pwsh = [Environment]::ProcessPath
        $hosted = @()
        if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $hosted = @((Join-Path $PSHOME 'pwsh.dll')) }
        & $pwsh @hosted -NoProfile -NonInteractive -File $script -KeyVaultUri 'https://kv-test.vault.azure.net/' -OfficeProductsBase64 $encoded -ClientCidrs '10.0.0.0/8' -LogPath $log 2> $stderr | Out-Null
        $LASTEXITCODE | Should -Be 1
        Get-Content -Raw -LiteralPath $stderr | Should -Match "product 'office-2010' is not supported.*bump kms.bootstrapRevision"
        Get-Content -Raw -LiteralPath $log | Should -Match 'FAILED'
    }
}

Describe 'Install-KmsHost.ps1 secrets' {
    It 'masks every product key in log text, keeping the last five characters' {
        Protect-ProductKey -Text "key $WinHostKey and $($OfficeKey24.ToLowerInvariant())" | Should -Be 'key *****-*****-*****-*****-W1HST and *****-*****-*****-*****-o24hs'
        Get-MaskedKey -Key 'abc' | Should -Be '*****'
    }

    It 'keeps keys out of a transcript of a failing run' {
        $Fake.Secrets['kms-windows'] = $WinMakKey
        $transcript = Join-Path $TestDrive 'transcript.txt'
        Start-Transcript -LiteralPath $transcript | Out-Null
        try { $run = Invoke-Bootstrap } finally { Stop-Transcript | Out-Null }
        $run.Code | Should -Be 1
        $text = Get-Content -Raw -LiteralPath $transcript
        foreach ($key in $AllKeys) { $text | Should -Not -Match ([regex]::Escape($key)) }
        Assert-NoKey $run
    }

    It 'runs the real seams that work anywhere' {
        # The functions themselves, not the mocks that shadow them in these tests.
        (& (Get-Command -Name Get-UtcNow -CommandType Function).ScriptBlock).Kind | Should -Be 'Utc'
        & (Get-Command -Name Wait-Seconds -CommandType Function).ScriptBlock -Seconds 0
        Get-BackoffSeconds -Attempt 10 | Should -Be 60
        Get-LicensingErrorHint -Code '0xc004f050' | Should -Match 'invalid'
        Get-LicensingErrorHint -Code 'nonsense' | Should -Match 'activation-error-codes'
    }
}
}
