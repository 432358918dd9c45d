namespace Drover.Hcloud.Labels;

/// <summary>Hand-written scanner for <see cref="LabelSelector"/>; every error carries a position.</summary>
internal sealed class LabelSelectorParser(string text)
{
    private int _pos;

    public List<LabelRequirement> ParseAll()
    {
        var result = new List<LabelRequirement>();
        SkipSpaces();
        if (_pos == text.Length)
        {
            return result;
        }
        while (true)
        {
            result.Add(ParseRequirement());
            SkipSpaces();
            if (_pos == text.Length)
            {
                return result;
            }
            Expect(',', "expected ',' between terms");
            SkipSpaces();
            if (_pos == text.Length)
            {
                throw Error("expected a term after ','");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        if (Peek() == '!')
        {
            _pos++;
            SkipSpaces();
            return new LabelRequirement(ParseKey(), LabelOperator.NotExists, []);
        }
        var key = ParseKey();
        SkipSpaces();
        if (_pos == text.Length || Peek() == ',')
        {
            return new LabelRequirement(key, LabelOperator.Exists, []);
        }
        if (Peek() == '!' && PeekAt(1) == '=')
        {
            _pos += 2;
            return new LabelRequirement(key, LabelOperator.NotEquals, [ParseValue()]);
        }
        if (Peek() == '=')
        {
            _pos += PeekAt(1) == '=' ? 2 : 1;
            return new LabelRequirement(key, LabelOperator.Equals, [ParseValue()]);
        }
        var wordStart = _pos;
        var word = ReadWhile(char.IsAsciiLetter);
        var op = word switch
        {
            "in" => LabelOperator.In,
            "notin" => LabelOperator.NotIn,
            _ => throw Error("expected '=', '==', '!=', 'in', 'notin' or ','", wordStart),
        };
        if (wordStart > 0 && !char.IsWhiteSpace(text[wordStart - 1]))
        {
            throw Error($"expected a space before '{word}'", wordStart);
        }
        SkipSpaces();
        Expect('(', $"expected '(' after '{word}'");
        var values = new List<string>();
        while (true)
        {
            SkipSpaces();
            var start = _pos;
            var v = ReadWhile(IsValueChar);
            LabelValidation.ThrowIfInvalidValue(text, start, v);
            values.Add(v);
            SkipSpaces();
            if (Peek() == ')')
            {
                _pos++;
                break;
            }
            Expect(',', "expected ',' or ')' in the value list");
        }
        if (values.Count == 1 && values[0].Length == 0)
        {
            throw Error("expected at least one value in the list", _pos - 1);
        }
        return new LabelRequirement(key, op, values);
    }

    private string ParseKey()
    {
        var start = _pos;
        var key = ReadWhile(c => IsValueChar(c) || c == '/');
        if (key.Length == 0)
        {
            throw Error(_pos == text.Length ? "expected a label key, found the end" : $"expected a label key, found '{Peek()}'", start);
        }
        LabelValidation.ThrowIfInvalidKey(text, start, key);
        return key;
    }

    private string ParseValue()
    {
        SkipSpaces();
        var start = _pos;
        var v = ReadWhile(IsValueChar);
        if (_pos < text.Length && Peek() != ',' && !char.IsWhiteSpace(Peek()))
        {
            throw Error($"unexpected character '{Peek()}' in a value");
        }
        LabelValidation.ThrowIfInvalidValue(text, start, v);
        return v;
    }

    private static bool IsValueChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private string ReadWhile(Func<char, bool> predicate)
    {
        var start = _pos;
        while (_pos < text.Length && predicate(text[_pos]))
        {
            _pos++;
        }
        return text[start.._pos];
    }

    private void SkipSpaces()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
        {
            _pos++;
        }
    }

    private char Peek() => _pos < text.Length ? text[_pos] : '\0';
    private char PeekAt(int offset) => _pos + offset < text.Length ? text[_pos + offset] : '\0';

    private void Expect(char c, string problem)
    {
        if (Peek() != c)
        {
            throw Error(_pos == text.Length ? problem + ", found the end" : $"{problem}, found '{Peek()}'");
        }
        _pos++;
    }

    private LabelSelectorException Error(string problem, int? at = null) => new(text, at ?? _pos, problem);
}
