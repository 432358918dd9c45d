namespace Drover.Fleet.Bootstrap;

/// <summary>What bootstrap does to one host.</summary>
public enum HostChange
{
    /// <summary>No server yet: create it.</summary>
    Create,

    /// <summary>The server matches the file: nothing to do.</summary>
    Keep,

    /// <summary>The server matches but its labels drifted: update them in place.</summary>
    Update,

    /// <summary>The server differs in something only a new server can change (image, type, location, user-data); left alone without <c>--replace</c>.</summary>
    NeedsReplace,

    /// <summary>As <see cref="NeedsReplace"/>, and <c>--replace</c> was given: delete it, then create it anew.</summary>
    Replace,
}
