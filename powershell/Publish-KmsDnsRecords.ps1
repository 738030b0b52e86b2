<#
.SYNOPSIS
    Publishes the KMS discovery records (an A record per KMS host and the _vlmcs._tcp SRV record)
    in a Windows DNS Server zone, including Active Directory-integrated zones.

.DESCRIPTION
    Makes the zone hold exactly these records, and changes nothing that already matches:
      - for each KMS host, one A record <name>.<zone> with its address;
      - one _vlmcs._tcp SRV entry per host (priority, weight, KMS port, target <name>.<zone>.).
    A records at the hosts' names and SRV entries at _vlmcs._tcp that differ (another address,
    target, port, priority, weight or TTL) are removed, so running it twice leaves the same
    records. Supports -WhatIf and -Confirm. Needs the DnsServer module (on a DNS server, or the
    RSAT DNS Server tools) and rights to update the zone (DnsAdmins, or the zone's permissions).

    Written by azure-kms-host (npm run synth) into cdktf.out/dns/<environment>/ with the
    environment's zone, server, TTL, port and hosts as parameter defaults; any parameter given on
    the command line overrides its default. Runs on Windows PowerShell 5.1 and PowerShell 7.

    Turn the hosts' own DNS publishing off (slmgr /cdns, the bootstrap does) so they do not
    publish a competing record.

.PARAMETER ZoneName
    The zone clients search: _vlmcs._tcp.<ZoneName>.

.PARAMETER ComputerName
    The DNS server to change. Empty: this computer.

.PARAMETER TimeToLiveSeconds
    TTL of every record, in seconds.

.PARAMETER Port
    The KMS TCP port in every SRV entry.

.PARAMETER KmsHosts
    The hosts, each a hashtable with Name (label in the zone), IPv4Address, Priority and Weight.

.EXAMPLE
    .\Publish-KmsDnsRecords.ps1 -WhatIf
.EXAMPLE
    .\Publish-KmsDnsRecords.ps1 -ComputerName dc01.corp.contoso.com
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string] $ZoneName = '', # export-default: ZoneName
    [string] $ComputerName = '', # export-default: ComputerName
    [ValidateRange(1, 2147483647)]
    [int] $TimeToLiveSeconds = 3600, # export-default: TimeToLiveSeconds
    [ValidateRange(1, 65535)]
    [int] $Port = 1688, # export-default: Port
    [object[]] $KmsHosts = @() # export-default: KmsHosts
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$SrvName = '_vlmcs._tcp'

function Get-KmsAbsoluteName {
    param([string] $Name)
    return ($Name.TrimEnd('.') + '.').ToLowerInvariant()
}

# The records at one name and type; none when the name does not exist yet.
function Get-KmsExistingRecord {
    param([hashtable] $Server, [string] $Name, [string] $Type)
    try {
        return @(Get-DnsServerResourceRecord @Server -Name $Name -RRType $Type -ErrorAction Stop)
    } catch {
        if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { return @() }
        throw
    }
}

function New-KmsChange {
    param([string] $Action, [string] $Type, [string] $Name, [string] $Data)
    return New-Object PSObject -Property ([ordered]@{ Action = $Action; Type = $Type; Name = $Name; Data = $Data })
}

function Test-KmsInput {
    if ([string]::IsNullOrWhiteSpace($ZoneName)) {
        throw 'ZoneName is empty: give -ZoneName <the clients'' DNS zone>, e.g. -ZoneName corp.contoso.com'
    }
    if ($KmsHosts.Count -eq 0) {
        throw 'KmsHosts is empty: give -KmsHosts @(@{ Name = ''kms01''; IPv4Address = ''10.0.0.4''; Priority = 0; Weight = 0 })'
    }
    $seen = @{}
    foreach ($kmsHost in $KmsHosts) {
        foreach ($key in @('Name', 'IPv4Address', 'Priority', 'Weight')) {
            if (-not $kmsHost.ContainsKey($key)) { throw "KmsHosts: an entry has no $key; give Name, IPv4Address, Priority and Weight for every host" }
        }
        if ($kmsHost.Name -notmatch '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$') {
            throw "KmsHosts: '$($kmsHost.Name)' is not one DNS label; give the host's name in the zone, e.g. kms01"
        }
        $address = $null
        if (-not [System.Net.IPAddress]::TryParse([string] $kmsHost.IPv4Address, [ref] $address) -or $address.AddressFamily -ne 'InterNetwork') {
            throw "KmsHosts: '$($kmsHost.IPv4Address)' of $($kmsHost.Name) is not an IPv4 address"
        }
        foreach ($key in @('Priority', 'Weight')) {
            $value = $kmsHost[$key] -as [int]
            if ($null -eq $value -or $value -lt 0 -or $value -gt 65535) { throw "KmsHosts: $key of $($kmsHost.Name) must be a whole number from 0 to 65535" }
        }
        if ($seen.ContainsKey($kmsHost.Name.ToLowerInvariant())) { throw "KmsHosts: $($kmsHost.Name) is listed twice" }
        $seen[$kmsHost.Name.ToLowerInvariant()] = $true
    }
}

Test-KmsInput
if (-not (Get-Command -Name Get-DnsServerResourceRecord -ErrorAction SilentlyContinue)) {
    throw 'The DnsServer module is not available: run this on a Windows DNS server, or install the RSAT DNS Server tools (Install-WindowsFeature RSAT-DNS-Server, or Add-WindowsCapability -Online -Name Rsat.Dns.Tools~~~~0.0.1.0).'
}

$server = @{ ZoneName = $ZoneName }
if (-not [string]::IsNullOrWhiteSpace($ComputerName)) { $server.ComputerName = $ComputerName }
$ttl = [TimeSpan]::FromSeconds($TimeToLiveSeconds)
$where = if ($ComputerName) { "zone $ZoneName on $ComputerName" } else { "zone $ZoneName" }
$changes = New-Object System.Collections.ArrayList

# A records: exactly one per host, with its address and the TTL.
foreach ($kmsHost in $KmsHosts) {
    $name = $kmsHost.Name.ToLowerInvariant()
    $address = [string] $kmsHost.IPv4Address
    $keep = $false
    foreach ($record in (Get-KmsExistingRecord -Server $server -Name $name -Type 'A')) {
        $same = ("$($record.RecordData.IPv4Address)" -eq $address) -and ([int] $record.TimeToLive.TotalSeconds -eq $TimeToLiveSeconds) -and -not $keep
        if ($same) {
            $keep = $true
            [void] $changes.Add((New-KmsChange -Action 'Unchanged' -Type 'A' -Name $name -Data $address))
        } elseif ($PSCmdlet.ShouldProcess("$name A $($record.RecordData.IPv4Address) in $where", 'Remove DNS record')) {
            Remove-DnsServerResourceRecord @server -InputObject $record -Force
            [void] $changes.Add((New-KmsChange -Action 'Removed' -Type 'A' -Name $name -Data "$($record.RecordData.IPv4Address)"))
        }
    }
    if (-not $keep -and $PSCmdlet.ShouldProcess("$name A $address (TTL $TimeToLiveSeconds s) in $where", 'Add DNS record')) {
        # Splatted: tree-sitter-powershell 0.25.10 (the grammar in the jest tests) rejects a
        # parameter name with a digit (-IPv4Address), which PowerShell's own parser accepts.
        $aRecord = @{ Name = $name; IPv4Address = $address; TimeToLive = $ttl }
        Add-DnsServerResourceRecordA @server @aRecord
        [void] $changes.Add((New-KmsChange -Action 'Added' -Type 'A' -Name $name -Data $address))
    }
}

# The SRV record: exactly one entry per host.
$wanted = @{}
foreach ($kmsHost in $KmsHosts) {
    $target = Get-KmsAbsoluteName -Name ("$($kmsHost.Name).$ZoneName")
    $wanted["$([int] $kmsHost.Priority) $([int] $kmsHost.Weight) $Port $target"] = $kmsHost
}
$present = @{}
foreach ($record in (Get-KmsExistingRecord -Server $server -Name $SrvName -Type 'SRV')) {
    $data = $record.RecordData
    $key = "$([int] $data.Priority) $([int] $data.Weight) $([int] $data.Port) $(Get-KmsAbsoluteName -Name $data.DomainName)"
    if ($wanted.ContainsKey($key) -and -not $present.ContainsKey($key) -and [int] $record.TimeToLive.TotalSeconds -eq $TimeToLiveSeconds) {
        $present[$key] = $true
        [void] $changes.Add((New-KmsChange -Action 'Unchanged' -Type 'SRV' -Name $SrvName -Data $key))
    } elseif ($PSCmdlet.ShouldProcess("$SrvName SRV $key in $where", 'Remove DNS record')) {
        Remove-DnsServerResourceRecord @server -InputObject $record -Force
        [void] $changes.Add((New-KmsChange -Action 'Removed' -Type 'SRV' -Name $SrvName -Data $key))
    }
}
foreach ($kmsHost in $KmsHosts) {
    $target = Get-KmsAbsoluteName -Name ("$($kmsHost.Name).$ZoneName")
    $key = "$([int] $kmsHost.Priority) $([int] $kmsHost.Weight) $Port $target"
    if (-not $present.ContainsKey($key) -and $PSCmdlet.ShouldProcess("$SrvName SRV $key (TTL $TimeToLiveSeconds s) in $where", 'Add DNS record')) {
        Add-DnsServerResourceRecord @server -Srv -Name $SrvName -DomainName $target -Priority ([int] $kmsHost.Priority) -Weight ([int] $kmsHost.Weight) -Port $Port -TimeToLive $ttl
        [void] $changes.Add((New-KmsChange -Action 'Added' -Type 'SRV' -Name $SrvName -Data $key))
    }
}

$changes
$changed = @($changes | Where-Object { $_.Action -ne 'Unchanged' }).Count
Write-Verbose "Publish-KmsDnsRecords: $changed change(s) in $where; clients find the hosts at $SrvName.$ZoneName"
