using Drover.Fleet.Config;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// The problems a plan finds, each placed at the line of the fleet file it comes from; thrown together as a
/// <see cref="FleetConfigException"/>.
/// </summary>
internal sealed class PlanDiagnostics(FleetFile fleet)
{
    private readonly List<FleetDiagnostic> _diagnostics = [];

    /// <summary>
    /// Adds a problem with <paramref name="field"/>. When the host does not set the field itself but inherits it, the
    /// problem points at <paramref name="fallback"/>, the default it came from (<c>defaults.server_type</c>).
    /// </summary>
    public void Add(string field, string message, string? fallback = null)
    {
        var location = fleet.Sources.Find(field);
        if (fallback is not null && location == fleet.Sources.Find(field[..field.LastIndexOf('.')]))
        {
            // The host inherits the value: point at the default it came from.
            if (fleet.Sources.Find(fallback) is { } inherited && fallback != field)
            {
                _diagnostics.Add(new FleetDiagnostic(inherited, field, message));
                return;
            }
        }
        _diagnostics.Add(new FleetDiagnostic(location, field, message));
    }

    public void AddRange(IEnumerable<FleetDiagnostic> diagnostics) => _diagnostics.AddRange(diagnostics);

    /// <summary>Throws every problem found so far, if there is one.</summary>
    public void ThrowIfAny()
    {
        if (_diagnostics.Count > 0)
        {
            throw new FleetConfigException([.. _diagnostics]);
        }
    }
}
