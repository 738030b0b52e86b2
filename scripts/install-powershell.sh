#!/usr/bin/env bash
# Installs what the PowerShell tests need, project-locally under .tools/ (git-ignored), never globally:
#   - PowerShell 7.6.9 as a .NET tool (.tools/pwsh/pwsh), unless `pwsh` is already on PATH;
#   - Pester 5.7.1 from NuGet (.tools/nuget/pester/5.7.1/tools/Pester.psd1).
# Idempotent: when both are present it only prints where they are. Prints the paths it settled on as
#   PWSH=<path>
#   PESTER=<path to Pester.psd1>
# on its last two lines (scripts/test.mjs reads them). Needs the .NET SDK for whatever is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PWSH_VERSION="7.6.9"
PESTER_VERSION="5.7.1"
TOOLS="$PWD/.tools"
PESTER_PSD1="$TOOLS/nuget/pester/$PESTER_VERSION/tools/Pester.psd1"

have_dotnet() { command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q .; }

missing() {
  echo "install-powershell: $1" >&2
  echo "install-powershell: install the .NET 10 SDK (PowerShell 7.6 runs on .NET 10; https://learn.microsoft.com/dotnet/core/install/linux) so this script can fetch PowerShell $PWSH_VERSION and Pester $PESTER_VERSION from NuGet, or put pwsh on PATH." >&2
  exit 2
}

# 1. PowerShell: the project's copy, else pwsh from PATH, else install the .NET tool.
if [ -x "$TOOLS/pwsh/pwsh" ]; then
  PWSH="$TOOLS/pwsh/pwsh"
elif command -v pwsh >/dev/null 2>&1; then
  PWSH="$(command -v pwsh)"
else
  have_dotnet || missing "neither pwsh nor the .NET SDK (dotnet) was found."
  echo "install-powershell: installing PowerShell $PWSH_VERSION as a .NET tool into .tools/pwsh" >&2
  dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$TOOLS/pwsh" >&2
  PWSH="$TOOLS/pwsh/pwsh"
fi

# 2. Pester, restored from NuGet by a throwaway project (PackageDownload fetches the package without
#    referencing it, so no target framework assets are needed).
if [ ! -f "$PESTER_PSD1" ]; then
  have_dotnet || missing "Pester $PESTER_VERSION is not in .tools/nuget and the .NET SDK (dotnet) was not found to restore it."
  echo "install-powershell: restoring Pester $PESTER_VERSION from NuGet into .tools/nuget" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cat >"$work/pester-restore.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net$(dotnet --version | cut -d. -f1).0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PESTER_VERSION]" />
  </ItemGroup>
</Project>
XML
  dotnet restore "$work/pester-restore.csproj" --packages "$TOOLS/nuget" >&2
  [ -f "$PESTER_PSD1" ] || { echo "install-powershell: restore finished but $PESTER_PSD1 is missing" >&2; exit 1; }
fi

echo "PWSH=$PWSH"
echo "PESTER=$PESTER_PSD1"
