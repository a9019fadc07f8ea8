using Kvmspec.Model.Exploration;
using Xunit;

namespace Kvmspec.Properties.Support;

/// <summary>Assertions that print the trace's lane diagram when they fail.</summary>
public static class TraceAssert
{
    public static void That(bool condition, string claim, Kvmspec.Spec.Trace.Trace trace) =>
        Assert.True(condition, $"{claim}\n{LaneDiagram.Text(trace)}");

    /// <summary>Reading <paramref name="content"/> as file <paramref name="name"/> fails at
    /// <paramref name="line"/> and <paramref name="field"/>, naming <paramref name="problem"/>, in a
    /// message that starts with "name:line: " (the message is written to <paramref name="output"/>).</summary>
    public static void Rejected(string name, string content, int line, string field, string problem, Xunit.Abstractions.ITestOutputHelper output)
    {
        var e = Assert.Throws<Kvmspec.Spec.Trace.TraceFormatException>(() =>
            Kvmspec.Spec.Trace.TraceReader.ReadAll(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), name));
        output.WriteLine(e.Message);
        Assert.Equal((line, field), (e.Line, e.Field));
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith($"{name}:{line}: ", e.Message);
    }
}
