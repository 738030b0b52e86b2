# Runs powershell/Test-KmsHost.ps1 against a fake KMS host: Software Licensing WMI, Windows
# Firewall, the TCP listener table and the Application log are mocked at the script's seams (each
# fake citing the behaviour it imitates); the checks themselves run for real.

Describe 'Test-KmsHost.ps1' {
    BeforeAll {
        . (Join-Path $PSScriptRoot '..' '..' 'powershell' 'Test-KmsHost.ps1')
        . (Join-Path $PSScriptRoot 'FakeWindows.ps1')

        # SoftwareLicensingProduct with its MOF types (uint32 status, reason and KMS flag):
        # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
        function New-HostProduct([string] $Id, [string] $Name, [string] $Description, [string] $Partial, [uint32] $Status = 1, [uint32] $Kms = 1) {
            [pscustomobject]@{ ID = $Id; ApplicationId = '55c92734-d682-4d71-983e-d6ec3f16059f'; Name = $Name; Description = $Description; PartialProductKey = $Partial; LicenseStatus = $Status; LicenseStatusReason = [uint32]0; IsKeyManagementServiceMachine = $Kms }
        }

        function Invoke-Check([hashtable] $With = @{}) {
            $arguments = @{ ClientCidrs = '10.0.0.0/8,192.168.1.0/24' }
            foreach ($k in $With.Keys) { $arguments[$k] = $With[$k] }
            $lines = @(Invoke-KmsHostVerification @arguments)
            $results = @()
            try { $results = @(Get-KmsHostCheckResults -Port 1688 -ClientCidrs @('10.0.0.0/8', '192.168.1.0/24') -IncludeBootstrapRecord) } catch { $results = @() }
            [pscustomobject]@{ Failed = $script:VerificationFailed; Text = ($lines -join "`n"); Results = $results }
        }
        function Get-Check($Run, [string] $Name) { @($Run.Results | Where-Object { $_.Check -eq $Name }) | Select-Object -First 1 }
    }

    BeforeEach {
        # A host after a successful bootstrap: Windows KMS host key activated, rules scoped.
        $script:HostState = @{
            Service    = [pscustomobject]@{ KeyManagementServiceListeningPort = [uint32]0; KeyManagementServiceDnsPublishing = $false; KeyManagementServiceCurrentCount = [uint32]7 }
            Products   = @(
                (New-HostProduct 'win-host' 'Windows(R), ServerStandard edition' 'Windows(R) Operating System, VOLUME_KMS_WS22 channel' 'W1HST'),
                (New-HostProduct 'win-client' 'Windows(R), ServerDatacenter edition' 'Windows(R) Operating System, VOLUME_KMSCLIENT channel' '' 0 0)
            )
            Rules      = (New-ShippedFirewallRules)
            Listening  = @(1688)
            Source     = $true
            LastEvent  = [pscustomobject]@{ Id = 1000; TimeCreated = [datetime]'2027-01-01T10:00:00Z' }
        }
        $HostState.Rules['SPPSVC-In-TCP'].Enabled = $true
        $HostState.Rules['SPPSVC-In-TCP'].RemoteAddress = @('10.0.0.0/255.0.0.0', '192.168.1.0/255.255.255.0')
        $HostState.Rules['SPPSVC-In-TCP-NoScope'].RemoteAddress = @('10.0.0.0/255.0.0.0', '192.168.1.0/255.255.255.0')

        # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingservice
        Mock Get-SlService { $script:HostState.Service }
        # WQL over SoftwareLicensingProduct ('PartialProductKey IS NOT NULL' skips products with no key):
        # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
        Mock Get-SlProduct {
            if ($Filter -eq 'PartialProductKey IS NOT NULL') { return @($script:HostState.Products | Where-Object { $_.PartialProductKey }) }
            if ($Filter -match "^ID = '([^']+)'$") { $id = $Matches[1]; return @($script:HostState.Products | Where-Object { $_.ID -eq $id }) }
            if ($Filter -match "^ApplicationId = '([^']+)' AND PartialProductKey IS NOT NULL$") { $app = $Matches[1]; return @($script:HostState.Products | Where-Object { $_.ApplicationId -eq $app -and $_.PartialProductKey }) }
            throw "fake WMI does not understand filter: $Filter"
        }
        # Get-NetFirewallRule with its address filter, in the mask notation Windows reports:
        # https://learn.microsoft.com/powershell/module/netsecurity/get-netfirewalladdressfilter
        Mock Get-FirewallRule {
            $rule = $script:HostState.Rules[$Name]
            if ($null -eq $rule) { return $null }
            [pscustomobject]@{ Name = $Name; Enabled = $rule.Enabled; RemoteAddress = @($rule.RemoteAddress); LocalPort = @($rule.LocalPort) }
        }
        # https://learn.microsoft.com/powershell/module/nettcpip/get-nettcpconnection
        Mock Test-PortListening { $script:HostState.Listening -contains $Port }
        # https://learn.microsoft.com/dotnet/api/system.diagnostics.eventlog.sourceexists
        Mock Test-EventSourcePresent { $script:HostState.Source }
        # Get-WinEvent returns EventLogRecord objects (Id int, TimeCreated DateTime):
        # https://learn.microsoft.com/dotnet/api/system.diagnostics.eventing.reader.eventlogrecord
        Mock Get-LastBootstrapEvent { $script:HostState.LastEvent }
    }

    Context 'a healthy host' {
        It 'passes every check, prints the table and a PASS verdict' {
            $run = Invoke-Check
            $run.Failed | Should -BeFalse
            $run.Text | Should -Match 'VERDICT: PASS \(8 checks\)'
            $run.Text | Should -Match 'Licence Windows\(R\), ServerStandard edition\s+PASS'
            @($run.Results | Where-Object { $_.Status -ne 'PASS' }).Count | Should -Be 0
            (Get-Check $run 'Port').Detail | Should -Match 'KMS port 1688 \(expected 1688\); listening now'
        }

        It 'accepts any address list when no client ranges are given' {
            (Invoke-Check @{ ClientCidrs = '' }).Failed | Should -BeFalse
        }

        It 'counts only KMS host products, never the KMS client one' {
            @((Invoke-Check).Results | Where-Object { $_.Check -like 'Licence*' }).Count | Should -Be 1
        }

        It 'says a port with no listener right now is not a failure (sppsvc starts on demand)' {
            $HostState.Listening = @()
            $run = Invoke-Check
            $run.Failed | Should -BeFalse
            (Get-Check $run 'Port').Detail | Should -Match 'no listener right now'
        }
    }

    Context 'a host with a problem' {
        It 'fails when <Name>' -ForEach @(
            @{ Name = 'the KMS host key is not activated'; Change = { $script:HostState.Products[0].LicenseStatus = [uint32]5 }; Check = 'Licence Windows(R), ServerStandard edition'; Detail = 'not activated \(LicenseStatus 5' }
            @{ Name = 'KMS is not enabled on the product'; Change = { $script:HostState.Products[0].IsKeyManagementServiceMachine = [uint32]0 }; Check = 'Licence Windows(R), ServerStandard edition'; Detail = 'Key Management Service is not enabled' }
            @{ Name = 'no KMS host key is installed'; Change = { $script:HostState.Products = @($script:HostState.Products[1]) }; Check = 'Licence'; Detail = 'No KMS host key' }
            @{ Name = 'the port differs'; Change = { $script:HostState.Service.KeyManagementServiceListeningPort = [uint32]1690 }; Check = 'Port'; Detail = 'KMS port 1690 \(expected 1688\)' }
            @{ Name = 'a built-in rule keeps its shipped scope'; Change = { $script:HostState.Rules['SPPSVC-In-TCP-NoScope'].RemoteAddress = @('Any') }; Check = 'Firewall SPPSVC-In-TCP-NoScope'; Detail = 'must admit only the client ranges' }
            @{ Name = 'a rule admits LocalSubnet'; Change = { $script:HostState.Rules['SPPSVC-In-TCP'].RemoteAddress = @('LocalSubnet') }; Check = 'Firewall SPPSVC-In-TCP'; Detail = 'from LocalSubnet' }
            @{ Name = 'a rule admits other ranges'; Change = { $script:HostState.Rules['SPPSVC-In-TCP'].RemoteAddress = @('10.0.0.0/255.0.0.0') }; Check = 'Firewall SPPSVC-In-TCP'; Detail = 'must admit only' }
            @{ Name = 'our rule for another port is open to any address'; Change = { $script:HostState.Rules['AzureKmsHost-KMS-In-TCP'] = @{ Enabled = $true; RemoteAddress = @('Any'); LocalPort = @('1690') } }; Check = 'Firewall AzureKmsHost-KMS-In-TCP'; Detail = 'must admit only' }
            @{ Name = 'no enabled rule admits the port'; Change = { $script:HostState.Rules['SPPSVC-In-TCP'].Enabled = $false }; Check = 'Firewall open'; Detail = 'False' }
            @{ Name = 'the built-in rule is missing'; Change = { $script:HostState.Rules.Remove('SPPSVC-In-TCP') }; Check = 'Firewall SPPSVC-In-TCP'; Detail = 'Volume Activation role' }
            @{ Name = 'the host publishes DNS itself'; Change = { $script:HostState.Service.KeyManagementServiceDnsPublishing = $true }; Check = 'DNS publishing'; Detail = 'publishing True \(expected False\)' }
            @{ Name = 'the event source is missing'; Change = { $script:HostState.Source = $false }; Check = 'Event source'; Detail = 'AzureKmsHost' }
            @{ Name = 'the last bootstrap failed'; Change = { $script:HostState.LastEvent = [pscustomobject]@{ Id = 1001; TimeCreated = [datetime]'2027-01-01T10:00:00Z' } }; Check = 'Last bootstrap'; Detail = 'event 1001 at 2027-01-01T10:00:00Z' }
            @{ Name = 'the bootstrap never finished'; Change = { $script:HostState.LastEvent = $null }; Check = 'Last bootstrap'; Detail = 'never finished' }
        ) {
            & $Change
            $run = Invoke-Check
            $run.Failed | Should -BeTrue
            $run.Text | Should -Match 'VERDICT: FAIL \(\d+ of \d+ checks\)'
            $found = Get-Check $run $Check
            $found.Status | Should -Be 'FAIL'
            $found.Detail | Should -Match $Detail
        }

        It 'fails a disabled NoScope rule only for its scope, never for being disabled' {
            $HostState.Rules['SPPSVC-In-TCP-NoScope'].Enabled = $false
            (Invoke-Check).Failed | Should -BeFalse
        }

        It 'expects DNS publishing on when asked' {
            $HostState.Service.KeyManagementServiceDnsPublishing = $true
            (Invoke-Check @{ DnsPublishing = 'true' }).Failed | Should -BeFalse
        }

        It 'rejects bad parameters with the fix' -ForEach @(
            @{ With = @{ Port = 'x' }; Pattern = "Port 'x' is not a TCP port" }
            @{ With = @{ DnsPublishing = 'maybe' }; Pattern = 'must be true or false' }
        ) {
            $run = Invoke-Check $With
            $run.Failed | Should -BeTrue
            $run.Text | Should -Match $Pattern
        }

        It 'fails with advice when the licensing service cannot be read' {
            Mock Get-SlService { throw [FakeWindows.CimExceptionStandIn]::new('Zugriff verweigert', [Convert]::ToUInt32('80070005', 16)) }
            $run = Invoke-Check
            $run.Failed | Should -BeTrue
            $run.Text | Should -Match 'VERDICT: FAIL: the checks could not run.*administrator'
        }
    }

    Context 'run as a script, as Run Command runs it' {
        It 'prints a one-line verdict and exits 1 when the checks cannot run (no Windows here)' {
            $script = Join-Path $PSScriptRoot '..' '..' 'powershell' 'Test-KmsHost.ps1'
            $pwsh = [Environment]::ProcessPath
            $hosted = @()
            if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $hosted = @((Join-Path $PSHOME 'pwsh.dll')) }
            $out = & $pwsh @hosted -NoProfile -NonInteractive -File $script -ClientCidrs '10.0.0.0/8' 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 1
            $out | Should -Match 'VERDICT: FAIL: the checks could not run'
        }
    }

    Context 'the checks as the bootstrap runs them (expected products)' {
        It 'checks each expected product, the Windows one found by its channel, and fails a missing one' {
            $expected = @([pscustomobject]@{ Label = 'Windows'; ActivationId = '' }, [pscustomobject]@{ Label = 'office-ltsc-2024'; ActivationId = 'F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F' })
            $results = @(Get-KmsHostCheckResults -Port 1688 -ClientCidrs @('10.0.0.0/8', '192.168.1.0/24') -ExpectedProducts $expected)
            (@($results | Where-Object { $_.Check -eq 'Licence Windows' }))[0].Status | Should -Be 'PASS'
            $office = @($results | Where-Object { $_.Check -eq 'Licence office-ltsc-2024' })[0]
            $office.Status | Should -Be 'FAIL'
            $office.Detail | Should -Match 'no KMS host product with a key'
            @($results | Where-Object { $_.Check -in @('Event source', 'Last bootstrap') }).Count | Should -Be 0
        }

        It 'compares IPv6 and single-address ranges and refuses an empty address list' {
            ConvertTo-NormalizedAddress -Address 'FD00::/8' | Should -Be 'fd00::/8'
            ConvertTo-NormalizedAddress -Address 'LocalSubnet' | Should -Be 'localsubnet'
            Test-IsScopedAddressList -Addresses @() | Should -BeFalse
        }
    }

    Context 'the real seams, over stand-ins of the Windows cmdlets they call' {
        It 'reads the licensing classes, a firewall rule with its filters and the listener table' {
            # Stand-ins with the documented shapes: Get-CimInstance returns the class's instances
            # (learn.microsoft.com/powershell/module/cimcmdlets/get-ciminstance); a rule's Enabled is
            # the enum value 'True'/'False' and its filters carry RemoteAddress and LocalPort
            # (learn.microsoft.com/powershell/module/netsecurity/get-netfirewallrule); a missing rule
            # is an error, silenced by -ErrorAction SilentlyContinue.
            function Get-CimInstance { param($ClassName, $Filter, $Property) [pscustomobject]@{ Class = $ClassName; Filter = $Filter } }
            function Get-NetFirewallRule { param($Name, $ErrorAction) if ($Name -eq 'SPPSVC-In-TCP') { [pscustomobject]@{ Name = $Name; Enabled = 'True' } } }
            function Get-NetFirewallAddressFilter { [pscustomobject]@{ RemoteAddress = @('LocalSubnet') } }
            function Get-NetFirewallPortFilter { [pscustomobject]@{ LocalPort = '1688' } }
            function Get-NetTCPConnection { param($State, $LocalPort, $ErrorAction) if ($LocalPort -eq 1688) { [pscustomobject]@{ LocalPort = 1688; State = 'Listen' } } }
            $real = { param($Name) (Get-Command -Name $Name -CommandType Function).ScriptBlock }
            (& (& $real Get-SlService)).Class | Should -Be 'SoftwareLicensingService'
            @(& (& $real Get-SlProduct) -Filter 'PartialProductKey IS NOT NULL')[0].Filter | Should -Be 'PartialProductKey IS NOT NULL'
            $rule = & (& $real Get-FirewallRule) -Name 'SPPSVC-In-TCP'
            $rule.Enabled | Should -BeTrue
            $rule.RemoteAddress | Should -Be @('LocalSubnet')
            & (& $real Get-FirewallRule) -Name 'nope' | Should -BeNullOrEmpty
            & (& $real Test-PortListening) -Port 1688 | Should -BeTrue
            & (& $real Test-PortListening) -Port 1689 | Should -BeFalse
        }
    }

    Context 'the real seams that run anywhere' {
        It 'reads the last bootstrap event without failing when there is none' {
            # The function itself, not the mock that shadows it in these tests (Get-WinEvent is
            # Windows-only; -ErrorAction SilentlyContinue keeps a missing log from failing).
            # A stand-in for the Windows-only cmdlet: no event found writes nothing (and, with
            # -ErrorAction SilentlyContinue, no error) - learn.microsoft.com/powershell/module/microsoft.powershell.diagnostics/get-winevent
            function Get-WinEvent { param($FilterHashtable, $MaxEvents) if ($script:WinEvents) { $script:WinEvents } }
            $script:WinEvents = $null
            & (Get-Command -Name Get-LastBootstrapEvent -CommandType Function).ScriptBlock | Should -BeNullOrEmpty
            $script:WinEvents = @([pscustomobject]@{ Id = 1000 })
            (& (Get-Command -Name Get-LastBootstrapEvent -CommandType Function).ScriptBlock).Id | Should -Be 1000
        }
    }
}
