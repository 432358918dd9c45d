using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Drover.Images.Talos;

/// <summary>
/// The scalar rules of the Go YAML library the Image Factory uses (go-yaml v3/v4 lineage): how a plain scalar
/// resolves (null, bool, int, float, timestamp or string) and which style the emitter gives a string, so that the
/// canonical bytes match the factory's exactly.
/// </summary>
internal static partial class GoYamlScalars
{
    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlStyleFloat();

    [GeneratedRegex("^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$")]
    private static partial Regex Base60Float();

    [GeneratedRegex("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]*)?([ \\t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$")]
    private static partial Regex Timestamp();

    private static readonly HashSet<string> _nulls = ["", "~", "null", "Null", "NULL"];
    private static readonly HashSet<string> _trues = ["true", "True", "TRUE"];
    private static readonly HashSet<string> _falses = ["false", "False", "FALSE"];
    private static readonly HashSet<string> _specialFloats = [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"];
    private static readonly HashSet<string> _oldBools = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"];

    /// <summary>YAML 1.1 booleans the Go library still accepts when decoding into a bool field.</summary>
    public static bool? OldBool(string s) => s switch
    {
        "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => null,
    };

    /// <summary>What an untagged plain scalar means: null, bool, long, ulong, double or (for anything else) the string itself.</summary>
    public static object? Resolve(string s)
    {
        if (_nulls.Contains(s))
        {
            return null;
        }
        if (_trues.Contains(s))
        {
            return true;
        }
        if (_falses.Contains(s))
        {
            return false;
        }
        if (_specialFloats.Contains(s))
        {
            return s.Contains("nan", StringComparison.OrdinalIgnoreCase) ? double.NaN : s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }
        var hint = s[0];
        if (hint == '.')
        {
            return YamlStyleFloat().IsMatch(s) ? double.Parse(s, CultureInfo.InvariantCulture) : s;
        }
        if (hint is not ('+' or '-') && !char.IsAsciiDigit(hint))
        {
            return s;
        }
        if (Timestamp().IsMatch(s))
        {
            return s; // a timestamp decoded into an untyped value stays a string; it is still quoted when emitted
        }
        var plain = s.Replace("_", "", StringComparison.Ordinal);
        if (ParseGoInt(plain) is { } i)
        {
            return i >= long.MinValue && i <= long.MaxValue ? (long)i : (ulong)i;
        }
        if (YamlStyleFloat().IsMatch(plain))
        {
            return double.Parse(plain, CultureInfo.InvariantCulture);
        }
        return s;
    }

    /// <summary>Go's strconv.ParseInt(s, 0, 64) / ParseUint: optional sign, 0x, 0o, 0b, leading-0 octal; null when not an integer in range.</summary>
    public static Int128? ParseGoInt(string s)
    {
        var neg = false;
        var t = s;
        if (t.Length > 0 && (t[0] == '+' || t[0] == '-'))
        {
            neg = t[0] == '-';
            t = t[1..];
        }
        var radix = 10;
        if (t.Length > 2 && t[0] == '0' && (t[1] is 'x' or 'X'))
        {
            radix = 16;
            t = t[2..];
        }
        else if (t.Length > 2 && t[0] == '0' && (t[1] is 'o' or 'O'))
        {
            radix = 8;
            t = t[2..];
        }
        else if (t.Length > 2 && t[0] == '0' && (t[1] is 'b' or 'B'))
        {
            radix = 2;
            t = t[2..];
        }
        else if (t.Length > 1 && t[0] == '0')
        {
            radix = 8;
            t = t[1..];
        }
        if (t.Length == 0)
        {
            return null;
        }
        Int128 value = 0;
        foreach (var c in t)
        {
            var d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (d >= radix)
            {
                return null;
            }
            value = (value * radix) + d;
            if (value > ulong.MaxValue)
            {
                return null;
            }
        }
        value = neg ? -value : value;
        return value < long.MinValue ? null : value;
    }

    /// <summary>Go's strconv.FormatFloat(f, 'g', -1, 64) with YAML's names for infinities and NaN.</summary>
    public static string FormatFloat(double f)
    {
        if (double.IsNaN(f))
        {
            return ".nan";
        }
        if (double.IsInfinity(f))
        {
            return f > 0 ? ".inf" : "-.inf";
        }
        if (f == 0)
        {
            return double.IsNegative(f) ? "-0" : "0";
        }
        // Shortest round-trip digits and decimal exponent, then Go's %g layout (exponent form when exp < -4 || exp >= 21).
        var shortest = Math.Abs(f).ToString("R", CultureInfo.InvariantCulture);
        var e = shortest.IndexOfAny(['E', 'e']);
        var mantissa = e < 0 ? shortest : shortest[..e];
        var exp10 = e < 0 ? 0 : int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var fracPart = dot < 0 ? "" : mantissa[(dot + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        var lead = (intPart + fracPart).Length - digits.Length;
        var dp = intPart.Length - lead + exp10; // position of the decimal point relative to the first significant digit
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0";
        }
        var x = dp - 1;
        var sb = new StringBuilder();
        if (f < 0)
        {
            sb.Append('-');
        }
        if (x < -4 || x >= 21)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits.AsSpan(1));
            }
            sb.Append('e').Append(x < 0 ? '-' : '+').Append(Math.Abs(x).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits.AsSpan(0, dp)).Append('.').Append(digits.AsSpan(dp));
        }
        return sb.ToString();
    }

    /// <summary>How the Go encoder writes a string in block context (not as a mapping key unless <paramref name="simpleKey"/>).</summary>
    public static string FormatString(string s, int indent, bool simpleKey = false)
    {
        var resolvesToString = s.Length > 0 && Resolve(s) is string && !Timestamp().IsMatch(s) && !Base60Float().IsMatch(s) && !_oldBools.Contains(s);
        var a = Analyze(s);
        if (s.Contains('\n', StringComparison.Ordinal) && !simpleKey)
        {
            return a.BlockAllowed ? Literal(s, indent) : DoubleQuoted(s);
        }
        if (!resolvesToString || s.Contains('\n', StringComparison.Ordinal))
        {
            return DoubleQuoted(s);
        }
        if (a.BlockPlainAllowed)
        {
            return s;
        }
        return a.SingleQuotedAllowed ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'" : DoubleQuoted(s);
    }

    private readonly record struct Analysis(bool BlockPlainAllowed, bool SingleQuotedAllowed, bool BlockAllowed);

    private static bool IsBreak(int c) => c is '\r' or '\n' or 0x85 or 0x2028 or 0x2029;

    private static bool IsBlankOrBreak(int c) => c is ' ' or '\t' || IsBreak(c);

    private static bool IsPrintable(int c) =>
        c == 0x0A || c is >= 0x20 and <= 0x7E || c is >= 0xA0 and <= 0xD7FF || (c is >= 0xE000 and <= 0xFFFD && c != 0xFEFF);

    private static Analysis Analyze(string s)
    {
        var runes = s.EnumerateRunes().Select(r => r.Value).ToArray();
        bool blockIndicators = false, flowIndicators = false, lineBreaks = false, special = false;
        bool leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false, breakSpace = false, spaceBreak = false;
        bool previousSpace = false, previousBreak = false;
        if (s.StartsWith("---", StringComparison.Ordinal) || s.StartsWith("...", StringComparison.Ordinal))
        {
            blockIndicators = true;
            flowIndicators = true;
        }
        var precededByWhitespace = true;
        for (var i = 0; i < runes.Length; i++)
        {
            var c = runes[i];
            var followedByWhitespace = i + 1 >= runes.Length || IsBlankOrBreak(runes[i + 1]);
            if (i == 0)
            {
                switch (c)
                {
                    case '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                        flowIndicators = true;
                        blockIndicators = true;
                        break;
                    case '?' or ':':
                        flowIndicators = true;
                        blockIndicators |= followedByWhitespace;
                        break;
                    case '-' when followedByWhitespace:
                        flowIndicators = true;
                        blockIndicators = true;
                        break;
                }
            }
            else
            {
                switch (c)
                {
                    case ',' or '?' or '[' or ']' or '{' or '}':
                        flowIndicators = true;
                        break;
                    case ':':
                        flowIndicators = true;
                        blockIndicators |= followedByWhitespace;
                        break;
                    case '#' when precededByWhitespace:
                        flowIndicators = true;
                        blockIndicators = true;
                        break;
                }
            }
            if (!IsPrintable(c))
            {
                special = true;
            }
            if (IsBreak(c))
            {
                lineBreaks = true;
            }
            if (c == ' ')
            {
                leadingSpace |= i == 0;
                trailingSpace |= i == runes.Length - 1;
                breakSpace |= previousBreak;
                previousSpace = true;
                previousBreak = false;
            }
            else if (IsBreak(c))
            {
                leadingBreak |= i == 0;
                trailingBreak |= i == runes.Length - 1;
                spaceBreak |= previousSpace;
                previousBreak = true;
                previousSpace = false;
            }
            else
            {
                previousSpace = false;
                previousBreak = false;
            }
            precededByWhitespace = IsBlankOrBreak(c);
        }
        bool plain = true, single = true, block = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak)
        {
            plain = false;
        }
        if (trailingSpace)
        {
            block = false;
        }
        if (breakSpace)
        {
            plain = false;
            single = false;
        }
        if (spaceBreak || special)
        {
            plain = false;
            single = false;
            block = false;
        }
        if (lineBreaks || blockIndicators)
        {
            plain = false;
        }
        _ = flowIndicators;
        return new Analysis(plain, single, block);
    }

    private static string Literal(string s, int indent)
    {
        var sb = new StringBuilder("|");
        if (s[0] == ' ' || IsBreak(s[0]))
        {
            sb.Append(SchematicYamlWriter.Indent);
        }
        if (!IsBreak(s[^1]))
        {
            sb.Append('-');
        }
        else if (s.Length == 1 || IsBreak(s[^2]))
        {
            sb.Append('+');
        }
        sb.Append('\n');
        var atLineStart = true;
        foreach (var c in s)
        {
            if (c == '\n')
            {
                sb.Append('\n');
                atLineStart = true;
                continue;
            }
            if (atLineStart)
            {
                sb.Append(' ', indent);
                atLineStart = false;
            }
            sb.Append(c);
        }
        if (!atLineStart)
        {
            sb.Append('\n');
        }
        return sb.ToString(); // a block scalar brings its own line end(s)
    }

    private static string DoubleQuoted(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            if (IsPrintable(c) && !IsBreak(c) && c != '"' && c != '\\')
            {
                sb.Append(rune.ToString());
                continue;
            }
            sb.Append(c switch
            {
                0 => "\\0",
                7 => "\\a",
                8 => "\\b",
                9 => "\\t",
                0x0A => "\\n",
                0x0B => "\\v",
                0x0C => "\\f",
                0x0D => "\\r",
                0x1B => "\\e",
                '"' => "\\\"",
                '\\' => "\\\\",
                0x85 => "\\N",
                0xA0 => "\\_",
                0x2028 => "\\L",
                0x2029 => "\\P",
                <= 0xFF => "\\x" + c.ToString("X2", CultureInfo.InvariantCulture),
                <= 0xFFFF => "\\u" + c.ToString("X4", CultureInfo.InvariantCulture),
                _ => "\\U" + c.ToString("X8", CultureInfo.InvariantCulture),
            });
        }
        return sb.Append('"').ToString();
    }
}
