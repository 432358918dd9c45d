namespace Drover.Cli.Output;

/// <summary>Left-aligned columns separated by three spaces, as the hcloud CLI prints them.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public Table Add(params string?[] cells)
    {
        _rows.Add([.. cells.Select(c => string.IsNullOrEmpty(c) ? "-" : c)]);
        return this;
    }

    public void Write(TextWriter writer)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in _rows.Prepend(headers))
        {
            writer.WriteLine(string.Join("   ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
