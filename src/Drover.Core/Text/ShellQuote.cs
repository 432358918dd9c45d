namespace Drover.Core.Text;

/// <summary>Quoting for POSIX shells (sh, bash): a value quoted here reads back as exactly that one word.</summary>
public static class ShellQuote
{
    /// <summary>Single-quotes <paramref name="value"/> (<c>it's</c> becomes <c>'it'\''s'</c>); always one word, even when empty.</summary>
    public static string Quote(string value) => "'" + (value ?? "").Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The value as it is when a shell reads it as one literal word, else <see cref="Quote"/>d (for messages and logs).</summary>
    public static string QuoteIfNeeded(string value)
        => value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal)) ? value : Quote(value);

    /// <summary>The words as one command line (each quoted as needed).</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(QuoteIfNeeded));
}
