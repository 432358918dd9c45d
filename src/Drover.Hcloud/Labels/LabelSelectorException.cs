namespace Drover.Hcloud.Labels;

/// <summary>A label selector that does not parse, with the 0-based position of the problem.</summary>
public sealed class LabelSelectorException(string selector, int position, string problem)
    : Drover.Core.DroverException($"invalid label selector '{selector}' at position {position + 1}: {problem}")
{
    public string Selector { get; } = selector;

    /// <summary>0-based character index of the problem.</summary>
    public int Position { get; } = position;

    /// <summary>What is wrong, without the position.</summary>
    public string Problem { get; } = problem;
}
