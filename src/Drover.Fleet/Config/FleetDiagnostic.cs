namespace Drover.Fleet.Config;

/// <summary>One problem in a fleet file: where, which field, what is wrong.</summary>
public sealed record FleetDiagnostic(SourceLocation? Location, string Field, string Message)
{
    /// <summary><c>drover.yaml:12:5: hosts.web1.server_tpye: unknown key (did you mean 'server_type'?)</c></summary>
    public override string ToString() => Location is { } l ? $"{l}: {Field}: {Message}" : $"{Field}: {Message}";
}
