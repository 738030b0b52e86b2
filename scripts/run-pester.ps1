# Runs every Pester file under test/powershell/ with command coverage of every shipped script under
# powershell/, prints the coverage of each script, and writes a JSON summary for scripts/test.mjs:
#   { passed, failed, skipped, coverage: [{ file, percent, analyzed, missed }], minimum }
# Usage: pwsh -NoProfile -File scripts/run-pester.ps1 -PesterPath <Pester.psd1> -SummaryPath <file>
param(
    [Parameter(Mandatory = $true)] [string] $PesterPath,
    [Parameter(Mandatory = $true)] [string] $SummaryPath,
    [double] $MinimumCoverage = 85
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Resolve-Path -LiteralPath $PesterPath).Path -Force

$tests = @(Get-ChildItem -LiteralPath (Join-Path $root 'test/powershell') -Filter '*.Tests.ps1' -File | Sort-Object Name | ForEach-Object FullName)
$scripts = @(Get-ChildItem -LiteralPath (Join-Path $root 'powershell') -Filter '*.ps1' -File | Sort-Object Name | ForEach-Object FullName)

$config = New-PesterConfiguration
$config.Run.Path = $tests
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.CodeCoverage.Enabled = $true
$config.CodeCoverage.Path = $scripts
# The profiler-based tracer (Pester 5.5+) is much faster than breakpoints.
$config.CodeCoverage.UseBreakpoints = $false
$config.CodeCoverage.OutputPath = Join-Path $root 'coverage/pester-coverage.xml'
$result = Invoke-Pester -Configuration $config

$coverage = foreach ($script in $scripts) {
    $executed = @($result.CodeCoverage.CommandsExecuted | Where-Object { $_.File -eq $script }).Count
    $missed = @($result.CodeCoverage.CommandsMissed | Where-Object { $_.File -eq $script }).Count
    $analyzed = $executed + $missed
    $percent = 0
    if ($analyzed -gt 0) { $percent = [math]::Round(100 * ($analyzed - $missed) / $analyzed, 2) }
    [ordered]@{ file = [IO.Path]::GetRelativePath($root, $script); percent = $percent; analyzed = $analyzed; missed = $missed }
}
Write-Host ''
Write-Host "Pester command coverage (minimum $MinimumCoverage% per shipped script):"
foreach ($entry in $coverage) {
    $flag = 'ok'
    if ($entry.percent -lt $MinimumCoverage) { $flag = 'BELOW MINIMUM' }
    Write-Host ('  {0,-36} {1,6:N2}%  ({2} of {3} commands)  {4}' -f $entry.file, $entry.percent, ($entry.analyzed - $entry.missed), $entry.analyzed, $flag)
}
$summary = [ordered]@{
    passed   = $result.PassedCount
    failed   = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    skipped  = $result.SkippedCount + $result.NotRunCount + $result.InconclusiveCount
    coverage = @($coverage)
    minimum  = $MinimumCoverage
    files    = $tests.Count
}
ConvertTo-Json -InputObject $summary -Depth 4 | Set-Content -LiteralPath $SummaryPath -Encoding utf8
