namespace Drover.Images.Talos;

/// <summary>A schematic file that the Image Factory would refuse: names the file, line, column and field.</summary>
public sealed class TalosSchematicException : Drover.Core.DroverException
{
    public TalosSchematicException(string sourceName, long line, long column, string problem)
        : base($"{sourceName}:{line}:{column}: {problem}")
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file (or other source) name given to the parser.</summary>
    public string SourceName { get; }

    /// <summary>1-based line.</summary>
    public long Line { get; }

    /// <summary>1-based column.</summary>
    public long Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; }
}
