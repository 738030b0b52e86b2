# Runs powershell/Test-KmsClient.ps1 end to end against a fake client: Software Licensing WMI,
# DNS suffixes and SRV lookups, TCP, w32tm, the Application log, the instance metadata service and
# the registry are mocked at the script's seams; its own logic runs for real.

Describe 'Test-KmsClient.ps1' {
    BeforeAll {
        . (Join-Path $PSScriptRoot '..' '..' 'powershell' 'Test-KmsClient.ps1')
        . (Join-Path $PSScriptRoot 'FakeWindows.ps1')

        # Resolve-DnsName's answer for a name that does not exist: error id DNS_ERROR_RCODE_NAME_ERROR
        # (Win32 9003) with a message in the display language (German here on purpose).
        # https://learn.microsoft.com/windows/win32/debug/system-error-codes--9000-11999-
        function New-DnsNameError([string] $Name) {
            [System.Management.Automation.ErrorRecord]::new([System.ComponentModel.Win32Exception]::new(9003, "${Name}: DNS-Name ist nicht vorhanden"), 'DNS_ERROR_RCODE_NAME_ERROR,Microsoft.DnsClient.Commands.ResolveDnsName', 'ResourceUnavailable', $Name)
        }

        function New-Product([string] $Kind, [int] $Status, [string] $Channel = 'VOLUME_KMSCLIENT', [uint32] $Reason = 0, [string] $KmsMachine = '') {
            $app = $WindowsApplicationId
            $name = 'Windows(R), ServerDatacenter edition'
            if ($Kind -eq 'Office') { $app = $OfficeApplicationId; $name = 'Office 24, Office24ProPlus2024VL_KMS_Client_AE edition' }
            # SoftwareLicensingProduct with its MOF types (uint32 status and reason):
            # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
            [pscustomobject]@{ ID = "$Kind-id"; ApplicationId = $app; Name = $name; Description = "$Kind, $Channel channel"; LicenseStatus = [uint32]$Status; LicenseStatusReason = [uint32]$Reason; KeyManagementServiceMachine = $KmsMachine; DiscoveredKeyManagementServiceMachineName = ''; PartialProductKey = 'ABCDE' }
        }

        # Runs the diagnostics with these parameters (the script reads them as its own variables).
        function Invoke-Client([hashtable] $With = @{}) {
            $Domain = ''; $ZoneName = 'kms.internal.example.com'; $KmsHosts = @(); $Port = 1688; $HostsServeWindows = $true; $HostsServeOffice = $true; $Fix = $false
            foreach ($k in $With.Keys) { Set-Variable -Name $k -Value $With[$k] }
            $code = Invoke-KmsClientDiagnostics
            [pscustomobject]@{ Code = $code; Findings = @($script:Findings); Output = ($script:Written -join "`n") }
        }
        function Get-Finding($Run, [string] $Status, [string] $Check) { , @($Run.Findings | Where-Object { $_.Status -eq $Status -and $_.Check -eq $Check }) }
    }

    BeforeEach {
        $script:Written = [System.Collections.ArrayList]@()
        $script:Client = @{
            Suffixes  = [pscustomobject]@{ Primary = 'corp.example.com'; ConnectionSpecific = @('corp.example.com'); SearchList = @('corp.example.com', 'kms.internal.example.com') }
            Srv       = @{ '_vlmcs._tcp.kms.internal.example.com' = @([pscustomobject]@{ NameTarget = 'kms1.kms.internal.example.com.'; Port = 1688; Priority = 0; Weight = 0; QueryType = 'SRV' }) }
            Products  = @((New-Product Windows 1 -KmsMachine 'kms1.kms.internal.example.com'))
            Reachable = @('kms1.kms.internal.example.com')
            Azure     = $false
            Events    = @()
            Calls     = [System.Collections.ArrayList]@()
            Admin     = $true
            MethodErrors = @{}
            ActivateLeaves = $false
        }
        $env:ProgramW6432 = Join-Path $TestDrive 'pf64'
        # Each seam's fake imitates what Windows documents for the surface behind it (source above each).
        # https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/write-host
        Mock Write-Host { [void]$script:Written.Add([string]$Object) }
        # https://learn.microsoft.com/powershell/module/dnsclient/get-dnsclientglobalsetting
        Mock Get-DnsSuffixes { $script:Client.Suffixes }
        # Resolve-DnsName -Type SRV; a missing name fails with DNS_ERROR_RCODE_NAME_ERROR (New-DnsNameError):
        # https://learn.microsoft.com/powershell/module/dnsclient/resolve-dnsname
        Mock Resolve-SrvRecord { $r = $script:Client.Srv[$Name]; if ($null -eq $r) { throw (New-DnsNameError $Name) }; $r }
        # https://learn.microsoft.com/dotnet/api/system.net.dns.gethostaddresses
        Mock Resolve-HostAddress { if ($Name -like '*.example.com') { @([System.Net.IPAddress]::Parse('10.0.0.4')) } else { @() } }
        # TcpClient.ConnectAsync; the real function is tested against a local port below:
        # https://learn.microsoft.com/dotnet/api/system.net.sockets.tcpclient.connectasync
        Mock Test-TcpPort { if ($script:Client.Reachable -contains $HostName) { '' } else { 'ConnectionRefused' } }
        # w32tm /stripchart /dataonly output:
        # https://learn.microsoft.com/windows-server/networking/windows-time-service/windows-time-service-tools-and-settings
        Mock Invoke-StripChart { "Tracking kms1 [10.0.0.4:123].`n12:00:01, +00.0123456s`n" }
        # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/softwarelicensingproduct
        Mock Get-SlProducts { $script:Client.Products }
        # https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service
        Mock Test-IsAzureVm { $script:Client.Azure }
        # https://learn.microsoft.com/powershell/module/microsoft.powershell.diagnostics/get-winevent
        Mock Get-ActivationEvents { $script:Client.Events }
        # https://learn.microsoft.com/dotnet/api/microsoft.win32.registrykey.openbasekey
        Mock Get-ClickToRunReleaseIds { '' }
        # https://learn.microsoft.com/dotnet/api/system.security.principal.windowsprincipal.isinrole
        Mock Test-IsAdministrator { $script:Client.Admin }
        # The product methods return ReturnValue 0 (uint32) on success; a failure is a non-terminating
        # CimException error from Invoke-CimMethod (terminating only under -ErrorAction Stop).
        # Client.MethodErrors maps a method name to the HRESULT it fails with; Client.ActivateLeaves
        # leaves the product unlicensed although Activate returned 0 (the count is still too low).
        # https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/activate-softwarelicensingproduct
        # https://learn.microsoft.com/powershell/module/cimcmdlets/invoke-cimmethod
        Mock Invoke-SlProductMethod {
            [void]$script:Client.Calls.Add("$($Product.ID) $MethodName")
            if ($script:Client.MethodErrors.ContainsKey($MethodName)) { Write-Error -ErrorRecord (New-LicensingError $script:Client.MethodErrors[$MethodName] $MethodName); return }
            if ($MethodName -eq 'Activate' -and -not $script:Client.ActivateLeaves) { $Product.LicenseStatus = [uint32]1 }
            [pscustomobject]@{ ReturnValue = [uint32]0 }
        }
    }

    Context 'a healthy client' {
        It 'finds the SRV record through the suffix search list, reaches the host and reports Windows activated' {
            $run = Invoke-Client
            $run.Code | Should -Be 0
            (Get-Finding $run 'OK' 'DNS').Count | Should -Be 1
            (Get-Finding $run 'OK' 'Network').Count | Should -Be 1
            (Get-Finding $run 'OK' 'Windows')[0].Message | Should -Match 'activated \(KMS host kms1'
            (Get-Finding $run 'OK' 'Clock').Count | Should -Be 1
            $run.Output | Should -Match 'No problems found'
        }

        It 'changes nothing without -Fix' {
            $Client.Products = @((New-Product Windows 5 -Reason ([Convert]::ToUInt32('C004F074', 16))))
            (Invoke-Client).Code | Should -Be 1
            Should -Invoke Invoke-SlProductMethod -Times 0 -Exactly
        }

        It 'explains no error code when none was seen' {
            (Invoke-Client).Output | Should -Not -Match 'Activation error codes'
        }
    }

    Context 'DNS' {
        It 'checks the connection-specific suffix before calling the record missing' {
            $Client.Suffixes = [pscustomobject]@{ Primary = ''; ConnectionSpecific = @('branch.example.com'); SearchList = @() }
            $Client.Srv['_vlmcs._tcp.branch.example.com'] = $Client.Srv['_vlmcs._tcp.kms.internal.example.com']
            $run = Invoke-Client
            $run.Code | Should -Be 0
            (Get-Finding $run 'PROBLEM' 'DNS').Count | Should -Be 0
        }

        It 'says the record is only in the KMS zone when no client suffix has it, naming the search-list fix' {
            $Client.Suffixes = [pscustomobject]@{ Primary = 'corp.example.com'; ConnectionSpecific = @(); SearchList = @('corp.example.com') }
            $run = Invoke-Client
            $run.Code | Should -Be 1
            (Get-Finding $run 'PROBLEM' 'DNS')[0].Message | Should -Match 'exists in kms.internal.example.com, but this client only searches corp.example.com'
            (Get-Finding $run 'PROBLEM' 'DNS')[0].Remedy | Should -Match 'search list'
        }

        It 'calls the record missing only when no suffix has it, listing every suffix searched' {
            $Client.Srv = @{}
            $run = Invoke-Client
            (Get-Finding $run 'PROBLEM' 'DNS')[0].Message | Should -Match 'corp.example.com, kms.internal.example.com'
            (Get-Finding $run 'PROBLEM' 'Network')[0].Message | Should -Match 'No KMS host is known'
        }

        It 'cannot tell, rather than calling the record missing, when the DNS lookups themselves fail' {
            # ERROR_TIMEOUT (1460) from Resolve-DnsName, in the display language.
            Mock Resolve-SrvRecord { throw [System.Management.Automation.ErrorRecord]::new([System.ComponentModel.Win32Exception]::new(1460, 'Zeitlimit'), 'ERROR_TIMEOUT,Microsoft.DnsClient.Commands.ResolveDnsName', 'OperationTimeout', $Name) }
            $run = Invoke-Client @{ KmsHosts = @('kms1.kms.internal.example.com') }
            (Get-Finding $run 'CANNOT TELL' 'DNS')[0].Message | Should -Match 'lookups failed.*ERROR_TIMEOUT'
            (Get-Finding $run 'PROBLEM' 'DNS').Count | Should -Be 0
        }

        It 'flags an SRV record with the wrong port' {
            $run = Invoke-Client @{ Port = 1690 }
            (Get-Finding $run 'PROBLEM' 'DNS')[0].Message | Should -Match 'port 1688, but the KMS port is 1690'
        }

        It 'cannot tell without any suffix or zone' {
            $Client.Suffixes = [pscustomobject]@{ Primary = ''; ConnectionSpecific = @(); SearchList = @() }
            $run = Invoke-Client @{ ZoneName = ''; KmsHosts = @('kms1.kms.internal.example.com') }
            (Get-Finding $run 'CANNOT TELL' 'DNS').Count | Should -Be 1
            $run.Code | Should -Be 0
        }
    }

    Context 'network and clock' {
        It 'reports a host that does not resolve' {
            $run = Invoke-Client @{ KmsHosts = @('kms9.nowhere.test') }
            (Get-Finding $run 'PROBLEM' 'Network')[0].Message | Should -Match 'kms9.nowhere.test does not resolve'
        }

        It 'reports a host that does not answer on the port' {
            $Client.Reachable = @()
            $run = Invoke-Client
            (Get-Finding $run 'PROBLEM' 'Network')[0].Message | Should -Match 'not reachable on TCP 1688: ConnectionRefused'
        }

        It 'reports a large clock offset' {
            Mock Invoke-StripChart { "12:00:01, -900.5s`n" }
            (Get-Finding (Invoke-Client) 'PROBLEM' 'Clock')[0].Message | Should -Match '-900 s away'
        }

        It 'cannot tell the offset of a host that does not answer time queries' {
            Mock Invoke-StripChart { 'The following error occurred: 0x800705B4' }
            (Get-Finding (Invoke-Client) 'CANNOT TELL' 'Clock').Count | Should -Be 1
        }
    }

    Context 'licensing through WMI' {
        It 'reports an unactivated KMS client with its reason code and explains only that code' {
            $Client.Products = @((New-Product Windows 5 -Reason ([Convert]::ToUInt32('C004F038', 16))))
            $run = Invoke-Client
            $run.Code | Should -Be 1
            (Get-Finding $run 'PROBLEM' 'Windows')[0].Message | Should -Match '0xC004F038'
            $run.Output | Should -Match '0xC004F038  The KMS count is too low'
            $run.Output | Should -Not -Match '0xC004F074'
        }

        It 'says an unknown code is to be looked up rather than explaining it' {
            $Client.Products = @((New-Product Windows 5 -Reason ([Convert]::ToUInt32('C004F999', 16))))
            (Invoke-Client).Output | Should -Match '0xC004F999  Look it up'
        }

        It 'reports a product that is not a KMS client as such' {
            $Client.Products = @((New-Product Windows 0 -Channel 'RETAIL'))
            (Get-Finding (Invoke-Client) 'PROBLEM' 'Windows')[0].Message | Should -Match 'not a KMS client'
        }

        It 'reports Office products through the same classes' {
            $Client.Products = @((New-Product Windows 1), (New-Product Office 1))
            (Get-Finding (Invoke-Client) 'OK' 'Office')[0].Message | Should -Match 'Office 24'
        }

        It 'cannot tell when the licensing service lists nothing' {
            $Client.Products = @()
            (Get-Finding (Invoke-Client) 'CANNOT TELL' 'Licensing').Count | Should -Be 1
        }
    }

    Context 'Office installations' {
        It 'finds 64-bit Office through ProgramW6432 and flags it when it has no licence' {
            New-Item -ItemType Directory -Path (Join-Path $env:ProgramW6432 'Microsoft Office/root/Office16') -Force | Out-Null
            $run = Invoke-Client
            @($run.Findings | Where-Object { $_.Message -like 'Office found in*pf64*' }).Count | Should -Be 1
            (Get-Finding $run 'PROBLEM' 'Office')[0].Message | Should -Match 'no Office product with a key'
        }

        It 'says Microsoft 365 Apps activate by sign-in, not KMS' {
            Mock Get-ClickToRunReleaseIds { 'O365ProPlusRetail' }
            New-Item -ItemType Directory -Path (Join-Path $env:ProgramW6432 'Microsoft Office/root/Office16') -Force | Out-Null
            $run = Invoke-Client
            @($run.Findings | Where-Object { $_.Message -match 'sign-in' }).Count | Should -Be 1
            (Get-Finding $run 'PROBLEM' 'Office').Count | Should -Be 0
        }
    }

    Context 'activation events' {
        It 'reads the last activation error from events 12288/12289' {
            $Client.Events = @(
                [pscustomobject]@{ Id = 12289; TimeCreated = [datetime]'2027-01-01T10:00:00'; Message = 'Activation Flag: 0, error 0xc004f042' },
                [pscustomobject]@{ Id = 12288; TimeCreated = [datetime]'2027-01-01T09:59:59'; Message = 'request sent, state 0x00000000' }
            )
            $run = Invoke-Client
            $run.Output | Should -Match '0xC004F042  The KMS host reached cannot activate this product'
            (Get-Finding $run 'INFO' 'Events')[0].Message | Should -Match 'Last KMS reply'
        }

        It 'says the host was not reached when a request has no later reply' {
            $Client.Events = @([pscustomobject]@{ Id = 12288; TimeCreated = [datetime]'2027-01-01T10:00:00'; Message = 'sent' })
            (Get-Finding (Invoke-Client) 'PROBLEM' 'Events')[0].Message | Should -Match 'got no reply'
        }

        It 'notes when there are no events' {
            (Get-Finding (Invoke-Client) 'INFO' 'Events')[0].Message | Should -Match 'No KMS activation events'
        }
    }

    Context '-Fix' {
        It 'pins an unactivated Windows KMS client to the reachable host and port, then activates it' {
            $Client.Products = @((New-Product Windows 5 -Reason ([Convert]::ToUInt32('C004F074', 16))))
            $run = Invoke-Client @{ Fix = $true }
            $Client.Calls | Should -Be @('Windows-id SetKeyManagementServiceMachine', 'Windows-id SetKeyManagementServicePort', 'Windows-id Activate')
            (Get-Finding $run 'INFO' 'Fix')[0].Message | Should -Match 'now uses kms1.kms.internal.example.com:1688'
        }

        It 'never pins a client that is already activated, even with a DNS problem' {
            $Client.Srv = @{}
            $run = Invoke-Client @{ Fix = $true; KmsHosts = @('kms1.kms.internal.example.com') }
            Should -Invoke Invoke-SlProductMethod -Times 0 -Exactly
            (Get-Finding $run 'INFO' 'Fix')[0].Message | Should -Match 'Nothing to pin'
        }

        It 'never pins Windows on an Azure VM, which activates against Azure' {
            $Client.Azure = $true
            $Client.Products = @((New-Product Windows 5 -Reason ([Convert]::ToUInt32('C004F074', 16))), (New-Product Office 5))
            $run = Invoke-Client @{ Fix = $true }
            $Client.Calls | Should -Not -Contain 'Windows-id SetKeyManagementServiceMachine'
            $Client.Calls | Should -Contain 'Office-id SetKeyManagementServiceMachine'
            @($run.Findings | Where-Object { $_.Message -match 'Azure''s own KMS' }).Count | Should -Be 1
        }

        It 'pins Windows only when the environment''s hosts serve Windows' {
            $Client.Products = @((New-Product Windows 5), (New-Product Office 5))
            Invoke-Client @{ Fix = $true; HostsServeWindows = $false } | Out-Null
            $Client.Calls | Should -Be @('Office-id SetKeyManagementServiceMachine', 'Office-id SetKeyManagementServicePort', 'Office-id Activate')
        }

        It 'pins Office only when the environment''s hosts serve Office' {
            $Client.Products = @((New-Product Office 5))
            $run = Invoke-Client @{ Fix = $true; HostsServeOffice = $false }
            Should -Invoke Invoke-SlProductMethod -Times 0 -Exactly
            @($run.Findings | Where-Object { $_.Message -match 'do not activate Office' }).Count | Should -Be 1
        }

        It 'pins nothing when no host is reachable' {
            $Client.Products = @((New-Product Windows 5)); $Client.Reachable = @()
            (Get-Finding (Invoke-Client @{ Fix = $true }) 'INFO' 'Fix')[0].Message | Should -Match 'fix the network first'
            Should -Invoke Invoke-SlProductMethod -Times 0 -Exactly
        }

        It 'asks for an elevated prompt' {
            $Client.Products = @((New-Product Windows 5)); $Client.Admin = $false
            (Get-Finding (Invoke-Client @{ Fix = $true }) 'PROBLEM' 'Fix')[0].Message | Should -Match 'elevated'
        }

        It 'reports a failed <Method> (a non-terminating CIM error) as a problem with its code explained, never as activated' -ForEach @(
            @{ Method = 'SetKeyManagementServiceMachine'; Code = '0x80070057' }
            @{ Method = 'Activate'; Code = '0xC004F074' }
        ) {
            $Client.Products = @((New-Product Windows 5))
            $Client.MethodErrors[$Method] = $Code
            $run = Invoke-Client @{ Fix = $true }
            (Get-Finding $run 'INFO' 'Fix').Count | Should -Be 0
            (Get-Finding $run 'PROBLEM' 'Fix')[0].Message | Should -Match "$Method failed \($Code\)"
            $run.Output | Should -Match "$Code  "
            $run.Code | Should -Be 1
        }

        It 'reads the licence state again after Activate and reports a product still not activated' {
            $Client.Products = @((New-Product Windows 5))
            $Client.ActivateLeaves = $true
            $Client.Products[0].LicenseStatusReason = [Convert]::ToUInt32('C004F038', 16)
            $run = Invoke-Client @{ Fix = $true }
            (Get-Finding $run 'INFO' 'Fix').Count | Should -Be 0
            (Get-Finding $run 'PROBLEM' 'Fix')[0].Message | Should -Match 'still not activated.*0xC004F038'
            $run.Output | Should -Match '0xC004F038  The KMS count is too low'
        }
    }

    Context 'helpers' {
        It 'parses w32tm output and normalises zones' {
            ConvertFrom-StripChart -Text "12:00:01, +01.5000000s" | Should -Be 1.5
            ConvertFrom-StripChart -Text 'error' | Should -BeNullOrEmpty
            ConvertTo-Zone 'Corp.Example.COM.' | Should -Be 'corp.example.com'
            ConvertTo-Zone '' | Should -Be ''
        }

        It 'tests a TCP port for real: an open local port answers, a closed one does not' {
            # The function itself, not the mock that shadows it in these tests.
            $realTest = (Get-Command -Name Test-TcpPort -CommandType Function).ScriptBlock
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start()
            try {
                $open = $listener.LocalEndpoint.Port
                & $realTest -HostName '127.0.0.1' -PortNumber $open | Should -Be ''
            }
            finally { $listener.Stop() }
            # The socket error's name, the same in every display language; never the wrapper's
            # "One or more errors occurred." (AggregateException) that Windows PowerShell 5.1 prints.
            & $realTest -HostName '127.0.0.1' -PortNumber $open | Should -Be 'ConnectionRefused'
            @(& (Get-Command -Name Resolve-HostAddress -CommandType Function).ScriptBlock -Name '127.0.0.1').Count | Should -Be 1
        }

        It 'recognises Azure''s own KMS endpoints' {
            'azkms.core.windows.net' | Should -Match $AzureKmsPattern
            'kms.core.usgovcloudapi.net' | Should -Match $AzureKmsPattern
            'kms1.corp.example.com' | Should -Not -Match $AzureKmsPattern
        }
    }
}
