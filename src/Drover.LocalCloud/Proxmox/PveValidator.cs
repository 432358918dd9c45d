using System.Globalization;
using System.Text.RegularExpressions;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// Checks a request's parameters against <see cref="PveSchema"/> as pve-common's JSONSchema does, collecting one
/// message per bad parameter (its wording): missing required ones, unknown ones, type, bounds, enumerations, and the
/// <c>urlencoded</c>, <c>dns-name</c> and <c>pve-tag-list</c> formats. Booleans are normalised to <c>1</c>/<c>0</c>.
/// </summary>
internal static partial class PveValidator
{
    public static void Validate(string route, IDictionary<string, string> values)
    {
        if (!PveSchema.Routes.TryGetValue(route, out var parameters))
        {
            return;
        }
        var errors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in parameters.Where(p => p.Required && !values.ContainsKey(p.Name)))
        {
            errors[parameter.Name] = "property is missing and it is not optional";
        }
        foreach (var (name, value) in values.ToList())
        {
            var parameter = Find(parameters, name);
            if (parameter is null)
            {
                errors[name] = "property is not defined in schema and the schema does not allow additional properties";
                continue;
            }
            if (Check(parameter, value, out var normalised) is { } why)
            {
                errors[name] = why;
            }
            else
            {
                values[name] = normalised;
            }
        }
        if (errors.Count > 0)
        {
            throw PveException.Parameters(errors);
        }
    }

    /// <summary>The parameter <paramref name="name"/> stands for: itself, or its numbered family (<c>net3</c> → <c>net[n]</c>).</summary>
    private static PveParam? Find(PveParam[] parameters, string name)
    {
        if (parameters.FirstOrDefault(p => p.Name == name) is { } exact)
        {
            return exact;
        }
        var match = Numbered().Match(name);
        if (!match.Success || !PveSchema.MaxIndex.TryGetValue(match.Groups[1].Value, out var max)
            || !int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index > max
            || match.Groups[2].Value.Length > 1 && match.Groups[2].Value[0] == '0')
        {
            return null;
        }
        return parameters.FirstOrDefault(p => p.Name == match.Groups[1].Value + "[n]");
    }

    private static string? Check(PveParam parameter, string value, out string normalised)
    {
        normalised = value;
        switch (parameter.Type)
        {
            case PveType.Integer:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return $"type check ('integer') failed - got '{value}'";
                }
                if (parameter.Min is { } min && number < min)
                {
                    return $"value must have a minimum value of {min}";
                }
                if (parameter.Max is { } max && number > max)
                {
                    return $"value must have a maximum value of {max}";
                }
                return null;
            case PveType.Number:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : $"type check ('number') failed - got '{value}'";
            case PveType.Boolean:
                if (Truthy().IsMatch(value))
                {
                    normalised = "1";
                    return null;
                }
                if (Falsy().IsMatch(value))
                {
                    normalised = "0";
                    return null;
                }
                return $"type check ('boolean') failed - got '{value}'";
            case PveType.Enum:
                return parameter.Enum!.Contains(value) ? null : $"value '{value}' does not have a value in the enumeration '{string.Join(", ", parameter.Enum!)}'";
            default:
                return CheckString(parameter, value);
        }
    }

    private static string? CheckString(PveParam parameter, string value)
    {
        if (parameter.MaxLength is { } length && value.Length > length)
        {
            return $"value may only be {length} characters long";
        }
        if (parameter.Pattern is { } pattern && !Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            return "value does not match the regex pattern";
        }
        return parameter.Format switch
        {
            "urlencoded" when !UrlEncoded().IsMatch(value) => $"invalid format - invalid urlencoded string: {value}",
            "dns-name" when !DnsName().IsMatch(value) => $"invalid format - value does not look like a valid DNS name: {value}",
            "pve-tag-list" when SplitList(value).Any(t => !Tag().IsMatch(t)) => $"invalid format - invalid tag list: {value}",
            _ => null,
        };
    }

    /// <summary>pve-common's split_list: items separated by <c>,</c>, <c>;</c> or whitespace.</summary>
    public static IEnumerable<string> SplitList(string value) => ListSeparator().Split(value).Where(s => s.Length > 0);

    [GeneratedRegex(@"^(\w+?)(\d+)$")]
    private static partial Regex Numbered();

    [GeneratedRegex("^(1|true|yes|on)$", RegexOptions.IgnoreCase)]
    private static partial Regex Truthy();

    [GeneratedRegex("^(0|false|no|off)$", RegexOptions.IgnoreCase)]
    private static partial Regex Falsy();

    [GeneratedRegex(@"^[-%a-zA-Z0-9_.!~*'()]*$")]
    private static partial Regex UrlEncoded();

    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$")]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[a-z0-9_][a-z0-9_\-+.]*$", RegexOptions.IgnoreCase)]
    private static partial Regex Tag();

    [GeneratedRegex(@"[,;\s]+")]
    private static partial Regex ListSeparator();
}
