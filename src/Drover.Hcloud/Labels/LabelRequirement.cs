namespace Drover.Hcloud.Labels;

/// <summary>Operators of a label selector requirement.</summary>
public enum LabelOperator
{
    /// <summary><c>k</c></summary>
    Exists,
    /// <summary><c>!k</c></summary>
    NotExists,
    /// <summary><c>k=v</c> or <c>k==v</c></summary>
    Equals,
    /// <summary><c>k!=v</c></summary>
    NotEquals,
    /// <summary><c>k in (a,b)</c></summary>
    In,
    /// <summary><c>k notin (a,b)</c></summary>
    NotIn,
}

/// <summary>One comma-separated term of a selector.</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    /// <summary>Whether a label set satisfies this term.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            LabelOperator.Exists => has,
            LabelOperator.NotExists => !has,
            LabelOperator.Equals => has && value == Values[0],
            LabelOperator.NotEquals => !has || value != Values[0],
            LabelOperator.In => has && Values.Contains(value!),
            LabelOperator.NotIn => !has || !Values.Contains(value!),
            _ => false,
        };
    }

    public override string ToString() => Operator switch
    {
        LabelOperator.Exists => Key,
        LabelOperator.NotExists => "!" + Key,
        LabelOperator.Equals => $"{Key}={Values[0]}",
        LabelOperator.NotEquals => $"{Key}!={Values[0]}",
        LabelOperator.In => $"{Key} in ({string.Join(",", Values.Order(StringComparer.Ordinal))})",
        LabelOperator.NotIn => $"{Key} notin ({string.Join(",", Values.Order(StringComparer.Ordinal))})",
        _ => Key,
    };
}
