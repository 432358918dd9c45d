namespace Drover.Images.Upload;

/// <summary>One step's duration.</summary>
public sealed record StepTiming(string Step, TimeSpan Took);
