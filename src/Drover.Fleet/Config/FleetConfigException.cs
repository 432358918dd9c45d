namespace Drover.Fleet.Config;

/// <summary>One problem in a fleet file: where, which field, what is wrong.</summary>
public sealed record FleetDiagnostic(SourceLocation? Location, string Field, string Message)
{
    /// <summary><c>drover.yaml:12:5: hosts.web1.server_tpye: unknown key (did you mean 'server_type'?)</c></summary>
    public override string ToString() => Location is { } l ? $"{l}: {Field}: {Message}" : $"{Field}: {Message}";
}

/// <summary>A fleet file was refused. Carries every problem found, not only the first.</summary>
public sealed class FleetConfigException : Drover.Core.DroverException
{
    public FleetConfigException(IReadOnlyList<FleetDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString())))
    {
        Diagnostics = diagnostics;
    }

    public FleetConfigException(FleetDiagnostic diagnostic)
        : this([diagnostic])
    {
    }

    public FleetConfigException(string message)
        : base(message)
    {
        Diagnostics = [];
    }

    public FleetConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostics = [];
    }

    public IReadOnlyList<FleetDiagnostic> Diagnostics { get; }

    /// <summary>One line per problem.</summary>
    public override IReadOnlyList<string> Lines => Diagnostics.Count > 0 ? [.. Diagnostics.Select(d => d.ToString())] : [Message];
}
