# Pester 5 tests of powershell/Publish-KmsDnsRecords.ps1 (the DNS export for Windows DNS Server
# and Active Directory-integrated zones). Self-contained: the DnsServer cmdlets exist only on
# Windows, so when the module is absent they are defined here as stubs with the parameters the
# script uses, and every test replaces them with Mocks backed by an in-memory zone. Mock bodies run
# outside this file's script scope, so the zone and its helpers are globals, removed in AfterAll.

BeforeAll {
    $script:ScriptPath = [System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'powershell', 'Publish-KmsDnsRecords.ps1')

    $script:StubbedDnsServer = -not (Get-Command -Name Get-DnsServerResourceRecord -ErrorAction SilentlyContinue)
    if ($script:StubbedDnsServer) {
        function global:Get-DnsServerResourceRecord {
            [CmdletBinding()] param([string] $ZoneName, [string] $ComputerName, [string] $Name, [string] $RRType)
            throw 'stub: mock Get-DnsServerResourceRecord'
        }
        function global:Add-DnsServerResourceRecordA {
            [CmdletBinding()] param([string] $ZoneName, [string] $ComputerName, [string] $Name, [string] $IPv4Address, [TimeSpan] $TimeToLive)
            throw 'stub: mock Add-DnsServerResourceRecordA'
        }
        function global:Add-DnsServerResourceRecord {
            [CmdletBinding()] param([string] $ZoneName, [string] $ComputerName, [switch] $Srv, [string] $Name, [string] $DomainName, [int] $Priority, [int] $Weight, [int] $Port, [TimeSpan] $TimeToLive)
            throw 'stub: mock Add-DnsServerResourceRecord'
        }
        function global:Remove-DnsServerResourceRecord {
            [CmdletBinding()] param([string] $ZoneName, [string] $ComputerName, [object] $InputObject, [switch] $Force)
            throw 'stub: mock Remove-DnsServerResourceRecord'
        }
    }

    $script:Hosts = @(
        @{ Name = 'kms01'; IPv4Address = '10.60.0.10'; Priority = 0; Weight = 60 },
        @{ Name = 'kms02'; IPv4Address = '10.60.0.11'; Priority = 10; Weight = 40 }
    )
    $script:Params = @{ ZoneName = 'kms.example.test'; ComputerName = 'dc01.kms.example.test'; TimeToLiveSeconds = 300; Port = 1689; KmsHosts = $script:Hosts }

    function global:New-ARecord([string] $Name, [string] $Address, [int] $Ttl = 300) {
        [pscustomobject]@{ HostName = $Name; RecordType = 'A'; TimeToLive = [TimeSpan]::FromSeconds($Ttl); RecordData = [pscustomobject]@{ IPv4Address = [System.Net.IPAddress]::Parse($Address) } }
    }
    function global:New-SrvRecord([int] $Priority, [int] $Weight, [int] $Port, [string] $Target, [int] $Ttl = 300) {
        [pscustomobject]@{ HostName = '_vlmcs._tcp'; RecordType = 'SRV'; TimeToLive = [TimeSpan]::FromSeconds($Ttl); RecordData = [pscustomobject]@{ Priority = $Priority; Weight = $Weight; Port = $Port; DomainName = $Target } }
    }
    # The zone as "<type> <name> <data> <ttl>" lines, sorted, for whole-zone comparisons.
    function global:Get-ZoneText {
        @($global:PublishKmsTestZone | ForEach-Object {
                if ($_.RecordType -eq 'A') { "A $($_.HostName) $($_.RecordData.IPv4Address) $([int] $_.TimeToLive.TotalSeconds)" }
                else { "SRV $($_.HostName) $($_.RecordData.Priority) $($_.RecordData.Weight) $($_.RecordData.Port) $($_.RecordData.DomainName) $([int] $_.TimeToLive.TotalSeconds)" }
            } | Sort-Object)
    }
    $script:Wanted = @(
        'A kms01 10.60.0.10 300',
        'A kms02 10.60.0.11 300',
        'SRV _vlmcs._tcp 0 60 1689 kms01.kms.example.test. 300',
        'SRV _vlmcs._tcp 10 40 1689 kms02.kms.example.test. 300'
    )
}

AfterAll {
    Remove-Variable -Name PublishKmsTestZone -Scope Global -ErrorAction SilentlyContinue
    $helpers = @('New-ARecord', 'New-SrvRecord', 'Get-ZoneText')
    if ($script:StubbedDnsServer) { $helpers += @('Get-DnsServerResourceRecord', 'Add-DnsServerResourceRecordA', 'Add-DnsServerResourceRecord', 'Remove-DnsServerResourceRecord') }
    foreach ($name in $helpers) { Remove-Item -Path "Function:\$name" -ErrorAction SilentlyContinue }
}

Describe 'Publish-KmsDnsRecords.ps1 under PowerShell''s own parser' {
    It 'parses without errors and uses no PowerShell 7-only syntax (it runs on Windows PowerShell 5.1)' {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($script:ScriptPath, [ref] $tokens, [ref] $errors)
        @($errors) | Should -HaveCount 0
        $ps7Nodes = $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.TernaryExpressionAst] -or $node -is [System.Management.Automation.Language.PipelineChainAst] }, $true)
        @($ps7Nodes) | Should -HaveCount 0
        $ps7Tokens = @($tokens | Where-Object { $_.Kind -in @('QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr') })
        $ps7Tokens | Should -HaveCount 0
    }

    It 'declares SupportsShouldProcess, so -WhatIf and -Confirm exist' {
        $command = Get-Command -Name $script:ScriptPath
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Publish-KmsDnsRecords.ps1 against a mocked DNS server' {
    BeforeEach {
        $global:PublishKmsTestZone = New-Object System.Collections.ArrayList
        # Get-DnsServerResourceRecord; a name not in the zone is an ObjectNotFound error (WIN32 9714,
        # DNS_ERROR_NAME_DOES_NOT_EXIST): learn.microsoft.com/powershell/module/dnsserver/get-dnsserverresourcerecord,
        # learn.microsoft.com/windows/win32/debug/system-error-codes--9000-11999-
        Mock Get-DnsServerResourceRecord {
            $found = @($global:PublishKmsTestZone | Where-Object { $_.HostName -eq $Name -and $_.RecordType -eq $RRType })
            if ($found.Count -eq 0) {
                # The real cmdlet reports a missing node as ObjectNotFound (WIN32 9714).
                $exception = New-Object System.Exception "Failed to get $Name in zone $ZoneName"
                throw (New-Object System.Management.Automation.ErrorRecord($exception, 'WIN32 9714,Get-DnsServerResourceRecord', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $Name))
            }
            $found
        }
        # https://learn.microsoft.com/powershell/module/dnsserver/add-dnsserverresourcerecorda
        Mock Add-DnsServerResourceRecordA { [void] $global:PublishKmsTestZone.Add((New-ARecord -Name $Name -Address $IPv4Address -Ttl ([int] $TimeToLive.TotalSeconds))) }
        # https://learn.microsoft.com/powershell/module/dnsserver/add-dnsserverresourcerecord
        Mock Add-DnsServerResourceRecord { [void] $global:PublishKmsTestZone.Add((New-SrvRecord -Priority $Priority -Weight $Weight -Port $Port -Target ($DomainName.TrimEnd('.') + '.') -Ttl ([int] $TimeToLive.TotalSeconds))) }
        # https://learn.microsoft.com/powershell/module/dnsserver/remove-dnsserverresourcerecord
        Mock Remove-DnsServerResourceRecord { $global:PublishKmsTestZone.Remove($InputObject) }
    }

    It 'creates an A record per host and one SRV entry per host (priority, weight, port, absolute target, TTL) in an empty zone' {
        $changes = & $script:ScriptPath @script:Params
        Get-ZoneText | Should -Be $script:Wanted
        @($changes | Where-Object { $_.Action -eq 'Added' }) | Should -HaveCount 4
        Should -Invoke Add-DnsServerResourceRecordA -Times 2 -Exactly -ParameterFilter { $ZoneName -eq 'kms.example.test' -and $ComputerName -eq 'dc01.kms.example.test' -and $TimeToLive.TotalSeconds -eq 300 }
        Should -Invoke Add-DnsServerResourceRecord -Times 1 -Exactly -ParameterFilter { $Srv -and $Name -eq '_vlmcs._tcp' -and $DomainName -eq 'kms02.kms.example.test.' -and $Priority -eq 10 -and $Weight -eq 40 -and $Port -eq 1689 }
        Should -Invoke Remove-DnsServerResourceRecord -Times 0 -Exactly
    }

    It 'is idempotent: a second run changes nothing' {
        & $script:ScriptPath @script:Params | Out-Null
        $second = & $script:ScriptPath @script:Params
        Get-ZoneText | Should -Be $script:Wanted
        @($second | Where-Object { $_.Action -ne 'Unchanged' }) | Should -HaveCount 0
        @($second) | Should -HaveCount 4
        Should -Invoke Add-DnsServerResourceRecordA -Times 2 -Exactly
        Should -Invoke Add-DnsServerResourceRecord -Times 2 -Exactly
        Should -Invoke Remove-DnsServerResourceRecord -Times 0 -Exactly
    }

    It 'replaces stale records: a wrong or extra address, a wrong TTL, a retired host''s SRV entry; keeps what matches' {
        [void] $global:PublishKmsTestZone.Add((New-ARecord -Name 'kms01' -Address '10.60.0.10'))
        [void] $global:PublishKmsTestZone.Add((New-ARecord -Name 'kms01' -Address '10.60.0.99'))
        [void] $global:PublishKmsTestZone.Add((New-ARecord -Name 'kms02' -Address '10.60.0.11' -Ttl 3600))
        [void] $global:PublishKmsTestZone.Add((New-SrvRecord -Priority 0 -Weight 60 -Port 1689 -Target 'KMS01.kms.example.test.'))
        [void] $global:PublishKmsTestZone.Add((New-SrvRecord -Priority 0 -Weight 0 -Port 1688 -Target 'kmsold.kms.example.test.'))
        $changes = & $script:ScriptPath @script:Params
        Get-ZoneText | Should -Be @(
            'A kms01 10.60.0.10 300',
            'A kms02 10.60.0.11 300',
            'SRV _vlmcs._tcp 0 60 1689 KMS01.kms.example.test. 300',
            'SRV _vlmcs._tcp 10 40 1689 kms02.kms.example.test. 300'
        )
        @($changes | Where-Object { $_.Action -eq 'Removed' } | ForEach-Object { "$($_.Type) $($_.Data)" }) | Sort-Object | Should -Be @('A 10.60.0.11', 'A 10.60.0.99', 'SRV 0 0 1688 kmsold.kms.example.test.')
        @($changes | Where-Object { $_.Action -eq 'Unchanged' }) | Should -HaveCount 2
    }

    It 'changes nothing with -WhatIf' {
        [void] $global:PublishKmsTestZone.Add((New-SrvRecord -Priority 0 -Weight 0 -Port 1688 -Target 'kmsold.kms.example.test.'))
        & $script:ScriptPath @script:Params -WhatIf | Out-Null
        Get-ZoneText | Should -Be @('SRV _vlmcs._tcp 0 0 1688 kmsold.kms.example.test. 300')
        Should -Invoke Add-DnsServerResourceRecordA -Times 0 -Exactly
        Should -Invoke Add-DnsServerResourceRecord -Times 0 -Exactly
        Should -Invoke Remove-DnsServerResourceRecord -Times 0 -Exactly
    }

    It 'targets this computer when ComputerName is empty' {
        $local = $script:Params.Clone(); $local.ComputerName = ''
        & $script:ScriptPath @local | Out-Null
        Should -Invoke Add-DnsServerResourceRecordA -Times 2 -Exactly -ParameterFilter { [string]::IsNullOrEmpty($ComputerName) }
        Should -Invoke Get-DnsServerResourceRecord -Times 0 -Exactly -ParameterFilter { -not [string]::IsNullOrEmpty($ComputerName) }
    }

    It 'passes on errors other than a missing name' {
        Mock Get-DnsServerResourceRecord { throw (New-Object System.Management.Automation.ErrorRecord((New-Object System.Exception 'Access denied'), 'WIN32 5', [System.Management.Automation.ErrorCategory]::PermissionDenied, $Name)) }
        { & $script:ScriptPath @script:Params } | Should -Throw '*Access denied*'
        Should -Invoke Add-DnsServerResourceRecordA -Times 0 -Exactly
    }
}

Describe 'Publish-KmsDnsRecords.ps1 refuses bad input before touching DNS' {
    BeforeEach {
        Mock Get-DnsServerResourceRecord { }
        Mock Add-DnsServerResourceRecordA { }
    }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'an empty zone name'; Change = @{ ZoneName = '' }; Message = '*ZoneName is empty*' },
        @{ Case = 'no hosts'; Change = @{ KmsHosts = @() }; Message = '*KmsHosts is empty*' },
        @{ Case = 'an address that is not IPv4'; Change = @{ KmsHosts = @(@{ Name = 'kms01'; IPv4Address = 'fe80::1'; Priority = 0; Weight = 0 }) }; Message = '*not an IPv4 address*' },
        @{ Case = 'a priority above 65535'; Change = @{ KmsHosts = @(@{ Name = 'kms01'; IPv4Address = '10.0.0.1'; Priority = 65536; Weight = 0 }) }; Message = '*Priority of kms01 must be a whole number from 0 to 65535*' },
        @{ Case = 'a host name that is not one label'; Change = @{ KmsHosts = @(@{ Name = 'kms01.corp'; IPv4Address = '10.0.0.1'; Priority = 0; Weight = 0 }) }; Message = '*is not one DNS label*' },
        @{ Case = 'a host listed twice'; Change = @{ KmsHosts = @(@{ Name = 'kms01'; IPv4Address = '10.0.0.1'; Priority = 0; Weight = 0 }, @{ Name = 'KMS01'; IPv4Address = '10.0.0.2'; Priority = 0; Weight = 0 }) }; Message = '*listed twice*' }
    ) {
        $bad = $script:Params.Clone()
        foreach ($key in $Change.Keys) { $bad[$key] = $Change[$key] }
        { & $script:ScriptPath @bad } | Should -Throw $Message
        Should -Invoke Get-DnsServerResourceRecord -Times 0 -Exactly
        Should -Invoke Add-DnsServerResourceRecordA -Times 0 -Exactly
    }

    It 'says how to get the DnsServer module when it is missing' {
        Mock Get-Command { $null } -ParameterFilter { $Name -eq 'Get-DnsServerResourceRecord' }
        { & $script:ScriptPath @script:Params } | Should -Throw '*DnsServer module is not available*RSAT*'
    }
}
