namespace Drover.Hcloud.Labels;

/// <summary>The namespaced label keys Drover writes on everything it creates.</summary>
public static class DroverLabels
{
    /// <summary>Which Drover component created the resource, e.g. <c>drover-demo</c>, <c>drover-upload</c>.</summary>
    public const string CreatedBy = "drover/created-by";

    /// <summary>The run that created a temporary resource; cleanup of one run never touches another's.</summary>
    public const string Run = "drover/run";

    /// <summary>The fleet a server belongs to.</summary>
    public const string Fleet = "drover/fleet";

    /// <summary>The host name in the fleet file.</summary>
    public const string Host = "drover/host";

    /// <summary>The (shortened) sha256 digest of an uploaded image.</summary>
    public const string Digest = "drover/digest";

    /// <summary>A new run ID: 12 lowercase hex characters, valid as a label value.</summary>
    public static string NewRunId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
}
