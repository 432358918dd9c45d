namespace Drover.Fleet.Config;

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
