namespace Drover.Core.Processes;

/// <summary>Text helpers for messages about programs.</summary>
internal static class ProcessText
{
    /// <summary>The last <paramref name="lines"/> non-empty lines of <paramref name="text"/>, joined with " | ".</summary>
    public static string Tail(string text, int lines = 5)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return all.Length == 0 ? "(no output)" : string.Join(" | ", all.TakeLast(lines));
    }
}
