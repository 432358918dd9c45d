namespace Drover.Hcloud.Labels;

/// <summary>
/// A parsed label selector as the API understands it: comma-separated terms, all of which must hold
/// (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>).
/// One parser for the client, the catalog and the local cloud.
/// </summary>
public sealed class LabelSelector : IEquatable<LabelSelector>
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    /// <summary>Matches everything.</summary>
    public static LabelSelector Everything { get; } = new([]);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>Parses a selector; throws <see cref="LabelSelectorException"/> naming the position of the problem.</summary>
    public static LabelSelector Parse(string selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new LabelSelector(new LabelSelectorParser(selector).ParseAll());
    }

    public static bool TryParse(string selector, out LabelSelector? result, out LabelSelectorException? error)
    {
        try
        {
            result = Parse(selector);
            error = null;
            return true;
        }
        catch (LabelSelectorException e)
        {
            result = null;
            error = e;
            return false;
        }
    }

    /// <summary>Builds <c>k1=v1,k2=v2</c> from a dictionary.</summary>
    public static LabelSelector FromLabels(IReadOnlyDictionary<string, string> labels)
        => new(labels.Select(kv => new LabelRequirement(kv.Key, LabelOperator.Equals, [kv.Value])).ToList());

    /// <summary>Whether every term holds for <paramref name="labels"/>.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) => Requirements.All(r => r.Matches(labels));

    /// <summary>Combines two selectors (AND).</summary>
    public LabelSelector And(LabelSelector other) => new([.. Requirements, .. other.Requirements]);

    /// <summary>Deterministic form: terms sorted by key, then operator.</summary>
    public override string ToString()
        => string.Join(",", Requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Operator).Select(r => r.ToString()));

    public bool Equals(LabelSelector? other) => other is not null && ToString() == other.ToString();
    public override bool Equals(object? obj) => Equals(obj as LabelSelector);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
