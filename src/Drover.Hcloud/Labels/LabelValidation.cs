using System.Text.RegularExpressions;

namespace Drover.Hcloud.Labels;

/// <summary>
/// Label key and value rules of the API: key = optional DNS-subdomain prefix (at most 253) + '/' + name
/// (at most 63, alphanumeric at both ends, '-', '_', '.' between); value = empty or the same form as a name.
/// The prefix <c>hetzner.cloud/</c> is reserved.
/// </summary>
public static partial class LabelValidation
{
    /// <summary>Longest name part of a key, and longest value.</summary>
    public const int MaxNameLength = 63;

    /// <summary>Longest key prefix.</summary>
    public const int MaxPrefixLength = 253;

    [GeneratedRegex("^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex PrefixPattern();

    /// <summary>Why a key is invalid, or null when it is valid.</summary>
    public static string? KeyProblem(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "a label key must not be empty";
        }
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0 || prefix.Length > MaxPrefixLength || !PrefixPattern().IsMatch(prefix))
            {
                return $"the key prefix '{prefix}' must be a DNS subdomain of at most {MaxPrefixLength} characters";
            }
            if (prefix == "hetzner.cloud")
            {
                return "the key prefix 'hetzner.cloud/' is reserved";
            }
        }
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return $"the key name '{name}' must have 1 to {MaxNameLength} characters (has {name.Length})";
        }
        return NamePattern().IsMatch(name)
            ? null
            : $"the key name '{name}' must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'";
    }

    /// <summary>Why a value is invalid, or null when it is valid.</summary>
    public static string? ValueProblem(string? value)
    {
        if (value is null)
        {
            return "a label value must not be null (use \"\" for a key without a value)";
        }
        if (value.Length == 0)
        {
            return null;
        }
        if (value.Length > MaxNameLength)
        {
            return $"the value '{value}' must have at most {MaxNameLength} characters (has {value.Length})";
        }
        return NamePattern().IsMatch(value)
            ? null
            : $"the value '{value}' must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'";
    }

    /// <summary>All problems of a label set, one line per label, in key order.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, string> labels)
    {
        var result = new List<string>();
        foreach (var (k, v) in labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (KeyProblem(k) is { } kp)
            {
                result.Add($"label '{k}': {kp}");
            }
            if (ValueProblem(v) is { } vp)
            {
                result.Add($"label '{k}': {vp}");
            }
        }
        return result;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid label.</summary>
    public static void ThrowIfInvalid(IReadOnlyDictionary<string, string>? labels, string paramName = "labels")
    {
        if (labels is null)
        {
            return;
        }
        var problems = Problems(labels);
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid labels: " + string.Join("; ", problems), paramName);
        }
    }

    internal static void ThrowIfInvalidKey(string selector, int position, string key)
    {
        if (KeyProblem(key) is { } problem && !problem.Contains("reserved", StringComparison.Ordinal))
        {
            throw new LabelSelectorException(selector, position, problem);
        }
    }

    internal static void ThrowIfInvalidValue(string selector, int position, string value)
    {
        if (ValueProblem(value) is { } problem)
        {
            throw new LabelSelectorException(selector, position, problem);
        }
    }
}
