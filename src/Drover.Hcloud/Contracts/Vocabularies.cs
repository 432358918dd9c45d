using System.Text.Json.Serialization;

namespace Drover.Hcloud.Contracts;

/// <summary>Status of a server (<c>running</c>, <c>off</c>, ...).</summary>
[JsonConverter(typeof(StringValueConverter<ServerStatus>))]
public readonly record struct ServerStatus(string Value) : IStringValue<ServerStatus>
{
    public static readonly ServerStatus Running = new("running");
    public static readonly ServerStatus Initializing = new("initializing");
    public static readonly ServerStatus Starting = new("starting");
    public static readonly ServerStatus Stopping = new("stopping");
    public static readonly ServerStatus Off = new("off");
    public static readonly ServerStatus Deleting = new("deleting");
    public static readonly ServerStatus Migrating = new("migrating");
    public static readonly ServerStatus Rebuilding = new("rebuilding");
    public static readonly ServerStatus Unknown = new("unknown");
    public static ServerStatus From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>CPU architecture: <c>x86</c> or <c>arm</c>.</summary>
[JsonConverter(typeof(StringValueConverter<Architecture>))]
public readonly record struct Architecture(string Value) : IStringValue<Architecture>
{
    public static readonly Architecture X86 = new("x86");
    public static readonly Architecture Arm = new("arm");
    public static Architecture From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>Image type: <c>system</c>, <c>app</c>, <c>snapshot</c>, <c>backup</c>.</summary>
[JsonConverter(typeof(StringValueConverter<ImageType>))]
public readonly record struct ImageType(string Value) : IStringValue<ImageType>
{
    public static readonly ImageType System = new("system");
    public static readonly ImageType App = new("app");
    public static readonly ImageType Snapshot = new("snapshot");
    public static readonly ImageType Backup = new("backup");
    public static ImageType From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>Image status: <c>available</c>, <c>creating</c>, <c>unavailable</c>.</summary>
[JsonConverter(typeof(StringValueConverter<ImageStatus>))]
public readonly record struct ImageStatus(string Value) : IStringValue<ImageStatus>
{
    public static readonly ImageStatus Available = new("available");
    public static readonly ImageStatus Creating = new("creating");
    public static readonly ImageStatus Unavailable = new("unavailable");
    public static ImageStatus From(string value) => new(value);
    public override string ToString() => Value;
}

/// <summary>Action status: <c>running</c>, <c>success</c>, <c>error</c>.</summary>
[JsonConverter(typeof(StringValueConverter<ActionStatus>))]
public readonly record struct ActionStatus(string Value) : IStringValue<ActionStatus>
{
    public static readonly ActionStatus Running = new("running");
    public static readonly ActionStatus Success = new("success");
    public static readonly ActionStatus Error = new("error");
    public static ActionStatus From(string value) => new(value);
    public override string ToString() => Value;
}
