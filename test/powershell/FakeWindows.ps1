# The Windows behaviour the Pester fakes share: how the Software Licensing provider, the web
# cmdlets and Windows Firewall answer on a real Windows Server, each with the page documenting it.
# Dot-sourced by the *.Tests.ps1 files (it defines no tests itself).

if (-not ('FakeWindows.CimExceptionStandIn' -as [type])) {
    Add-Type -TypeDefinition @'
namespace FakeWindows {
    using System;
    using System.Collections.Generic;
    // Microsoft.Management.Infrastructure.CimException cannot be built on Linux (its CimInstance
    // needs the native libmi), so this stand-in has the members a caller reads from the real one:
    // ErrorData (the MSFT_WmiError / CIM_Error instance, whose error_Code is the provider's
    // HRESULT), NativeErrorCode and StatusCode.
    // https://learn.microsoft.com/dotnet/api/microsoft.management.infrastructure.cimexception
    // https://learn.microsoft.com/windows/win32/wmisdk/msft-wmierror (error_Code: uint32)
    public sealed class CimProperty { public string Name; public object Value; public string CimType; }
    public sealed class CimErrorData {
        public Dictionary<string, CimProperty> CimInstanceProperties = new Dictionary<string, CimProperty>();
        public string CimClassName = "MSFT_WmiError";
    }
    public sealed class CimExceptionStandIn : Exception {
        public CimErrorData ErrorData { get; private set; }
        public string NativeErrorCode { get { return "Failed"; } }
        public int StatusCode { get { return 1; } }
        public CimExceptionStandIn(string message, uint hresult) : base(message) {
            ErrorData = new CimErrorData();
            ErrorData.CimInstanceProperties["error_Code"] = new CimProperty { Name = "error_Code", Value = hresult, CimType = "UInt32" };
            ErrorData.CimInstanceProperties["Message"] = new CimProperty { Name = "Message", Value = message, CimType = "String" };
            HResult = unchecked((int)hresult);
        }
    }
    // Windows PowerShell 5.1's Invoke-RestMethod/Invoke-WebRequest fail with a WebException whose
    // Response is an HttpWebResponse (HTTP error) or null (no response: DNS, TLS, connect).
    // https://learn.microsoft.com/dotnet/api/system.net.webexception.response
    // https://learn.microsoft.com/dotnet/api/system.net.webexceptionstatus
    public sealed class HttpWebResponseStandIn : System.Net.WebResponse {
        public System.Net.HttpStatusCode StatusCode { get; private set; }
        public HttpWebResponseStandIn(int status) { StatusCode = (System.Net.HttpStatusCode)status; }
    }
}
'@
}

# A licensing method's failure as Invoke-CimMethod reports it: an error whose exception is a
# CimException carrying the HRESULT in ErrorData.error_Code; the message is the provider's text in
# the display language (here German on purpose, so no test can lean on English wording).
# https://learn.microsoft.com/previous-versions/windows/desktop/sppwmi/installproductkey-softwarelicensingservice
function New-LicensingError([string] $Code, [string] $Method = 'InstallProductKey') {
    $hresult = [Convert]::ToUInt32($Code.Substring(2), 16)
    $exception = [FakeWindows.CimExceptionStandIn]::new('Fehler beim Aufrufen der Methode (Softwarelizenzierungsdienst).', $hresult)
    [System.Management.Automation.ErrorRecord]::new($exception, "HRESULT $Code,Microsoft.Management.Infrastructure.CimCmdlets.InvokeCimMethodCommand", 'NotSpecified', $Method)
}

# Windows PowerShell 5.1: an HTTP error status (ProtocolError with a Response) ...
# https://learn.microsoft.com/dotnet/api/system.net.webexception.-ctor
function New-WebExceptionWithResponse([int] $Status) {
    [System.Net.WebException]::new("Der Remoteserver hat einen Fehler zurueckgegeben: ($Status).", $null, [System.Net.WebExceptionStatus]::ProtocolError, [FakeWindows.HttpWebResponseStandIn]::new($Status))
}
# ... and no response at all (TLS handshake, name resolution, connect), Response null.
# "Solving the TLS 1.0 Problem" (learn.microsoft.com/security/engineering/solving-tls1-problem):
# .NET Framework offers TLS 1.2 only when told, so the handshake fails as SecureChannelFailure.
function New-WebExceptionWithoutResponse([System.Net.WebExceptionStatus] $Status = 'SecureChannelFailure') {
    [System.Net.WebException]::new('Die zugrunde liegende Verbindung wurde geschlossen.', $null, $Status, $null)
}
# PowerShell 7: HttpResponseException with the HttpResponseMessage.
# https://learn.microsoft.com/dotnet/api/microsoft.powershell.commands.httpresponseexception
function New-HttpError([int] $Status) {
    [Microsoft.PowerShell.Commands.HttpResponseException]::new("Response status code does not indicate success: $Status", [System.Net.Http.HttpResponseMessage]::new($Status))
}

# The built-in KMS inbound rules as a Windows Server with the Volume Activation role ships them:
# both disabled; SPPSVC-In-TCP scoped to LocalSubnet on the Private and Public profiles,
# SPPSVC-In-TCP-NoScope open to any address on the Domain profile (Get-NetFirewallRule and
# Get-NetFirewallAddressFilter on a fresh host). Microsoft Learn documents the rule only as the
# "Key Management Service (TCP-In)" exception a KMS host needs opened
# (learn.microsoft.com/windows-server/get-started/kms-create-host); no page lists its scope.
function New-ShippedFirewallRules {
    @{
        'SPPSVC-In-TCP'         = @{ Enabled = $false; RemoteAddress = @('LocalSubnet'); LocalPort = @('1688'); Profile = @('Private', 'Public') }
        'SPPSVC-In-TCP-NoScope' = @{ Enabled = $false; RemoteAddress = @('Any'); LocalPort = @('1688'); Profile = @('Domain') }
    }
}
