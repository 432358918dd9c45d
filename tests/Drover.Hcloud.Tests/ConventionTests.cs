using System.Reflection;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

/// <summary>Architecture rules checked by reflection (Octokit's convention tests).</summary>
public sealed class ConventionTests
{
    private static readonly Assembly _subject = typeof(HcloudClient).Assembly;

    public static TheoryData<string> ClientTypes()
        => [.. _subject.GetExportedTypes().Where(t => t.IsClass && t.Name.EndsWith("Client", StringComparison.Ordinal)).Select(t => t.FullName!)];

    [Fact]
    public void The_client_assembly_has_resource_clients()
    {
        // Act / Assert
        ClientTypes().Count.ShouldBeGreaterThanOrEqualTo(10);
    }

    [Theory]
    [MemberData(nameof(ClientTypes))]
    public void Every_public_client_has_a_test_class(string clientType)
    {
        // Arrange
        var client = _subject.GetType(clientType, throwOnError: true)!;
        var expected = client.Name + "Tests";

        // Act
        var testClass = typeof(ConventionTests).Assembly.GetTypes().SingleOrDefault(t => t.Name == expected);

        // Assert
        testClass.ShouldNotBeNull($"{client.Name} needs a test class named {expected}");
        testClass.GetMethods().Count(m => m.GetCustomAttributes<FactAttribute>().Any()).ShouldBeGreaterThan(0, $"{expected} has no tests");
    }

    [Fact]
    public void Every_public_async_method_takes_a_CancellationToken_last()
    {
        // Arrange
        var asyncMethods = _subject.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && IsAsync(m.ReturnType))
            .ToList();

        // Act
        var offenders = asyncMethods
            .Where(m => m.GetParameters() is not [.., { } last] || last.ParameterType != typeof(CancellationToken))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        // Assert
        asyncMethods.Count.ShouldBeGreaterThan(50);
        offenders.ShouldBeEmpty();
    }

    [Fact]
    public void Every_public_async_method_ends_in_Async_and_defaults_its_CancellationToken()
    {
        // Arrange
        var asyncMethods = _subject.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && IsAsync(m.ReturnType));

        // Act
        var offenders = asyncMethods
            .Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal) || m.GetParameters()[^1] is not { HasDefaultValue: true, Name: "cancellationToken" })
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        // Assert
        offenders.ShouldBeEmpty();
    }

    private static bool IsAsync(Type type)
        => type == typeof(Task) || type == typeof(ValueTask)
            || (type.IsGenericType && type.GetGenericTypeDefinition() is var d
                && (d == typeof(Task<>) || d == typeof(ValueTask<>) || d == typeof(IAsyncEnumerable<>)));
}
