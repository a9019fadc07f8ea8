using System.Text;
using Kvmspec.Cli;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Oracle;
using Kvmspec.Model.Scenarios;
using Kvmspec.Properties.Docs;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Scenarios;

/// <summary>Every scenario file in tests/Scenarios/ against each of its variants (by default the
/// upstream one): its expectations hold, and the trace <c>record</c> writes for it passes <c>conform</c>.</summary>
public class ScenarioFileTests(ITestOutputHelper output)
{
    private static readonly string Dir = Path.Combine(DocsInStepTests.RepoRoot(), "tests", "Scenarios");

    public static TheoryData<string, string> Runs()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Directory.GetFiles(Dir, "*.yaml").Order(StringComparer.Ordinal))
            foreach (var v in ScenarioReader.ReadFile(f).Variants)
                data.Add(Path.GetFileName(f), v);
        return data;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void TheScenarioPasses_AndItsRecordedTraceConforms(string file, string variant)
    {
        var s = ScenarioReader.ReadFile(Path.Combine(Dir, file));
        var v = Arm64Variants.Find(variant)!;
        var r = ScenarioRunner.Run(s, v);
        output.WriteLine(ScenarioCommands.Text(r));
        Assert.True(r.Passed, string.Join("\n", r.Failures));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), s.Id);

        var bytes = TraceWriter.Bytes(r.Trace);
        var c = Conformance.Check(() => new MemoryStream(bytes), file, v);
        output.WriteLine(ConformCommand.Text(c));
        Assert.Null(c.Divergence);
        // Violations the scenario expects (negative scenarios) are the only ones conform may fail on.
        var expected = s.Expect.OfType<ViolationExpected>().Select(x => x.Key).ToHashSet();
        Assert.All(c.Verdicts.SelectMany(x => x.Violations).Where(x => !c.Excused(x)),
            x => Assert.True(expected.Contains(x.Key) || expected.Contains(x.Invariant), $"conform: {x}"));
    }

    [Fact]
    public void EveryUpstreamSelftestScenario_IsAFile()
    {
        // The ids of the Linux selftest scenarios the C# tests run are all files (MS-02 is not modelled).
        var files = Directory.GetFiles(Dir, "LX-A64-*.yaml").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        string[] ids = ["LX-A64-DE-01", "LX-A64-DE-02", "LX-A64-DE-03", "LX-A64-DE-04", "LX-A64-DE-05", "LX-A64-DE-06", "LX-A64-DE-07", "LX-A64-DE-08",
            "LX-A64-DE-09", "LX-A64-DE-10", "LX-A64-DE-11", "LX-A64-DE-12", "LX-A64-DE-13", "LX-A64-EA-01", "LX-A64-EA-02", "LX-A64-EA-03",
            "LX-A64-EA-04", "LX-A64-EA-05", "LX-A64-EA-06", "LX-A64-EA-07", "LX-A64-MS-01", "LX-A64-PF-01", "LX-A64-PF-02"];
        Assert.Equal([], ids.Where(id => !files.Contains(id)).ToArray());
    }

    [Fact]
    public void RecordThenConform_Passes_AndChangingOneObservationIsReportedAtExactlyThatLine()
    {
        var dir = Directory.CreateTempSubdirectory("kvmspec-record");
        try
        {
            var scenario = Path.Combine(Dir, "LX-A64-DE-01.yaml");
            var trace = Path.Combine(dir.FullName, "t.jsonl");
            Assert.Equal(0, Cli("record", scenario, "--variant", "arm64/upstream", "-o", trace).Code);
            var ok = Cli("conform", trace, "--variant", "arm64/upstream");
            Assert.True(ok.Code == 0, ok.Stdout);

            // The guest's BRK exception, recorded with another return address.
            var lines = File.ReadAllLines(trace);
            int at = Array.FindIndex(lines, l => l.Contains("\"kind\":\"exception\""));
            lines[at] = lines[at].Replace("\"elr\":4104", "\"elr\":4108");
            Assert.Contains("\"elr\":4108", lines[at]);
            File.WriteAllLines(trace, lines);
            var bad = Cli("conform", trace, "--variant", "arm64/upstream");
            output.WriteLine(bad.Stdout);
            Assert.Equal(1, bad.Code);
            Assert.Contains($"DIVERGES at event {at - 1} (line {at + 1})", bad.Stdout);
            Assert.Single(bad.Stdout.Split('\n'), l => l.Contains("DIVERGES"));
        }
        finally { dir.Delete(true); }
    }

    private static (int Code, string Stdout) Cli(params string[] args)
    {
        var o = new StringWriter();
        int code = KvmspecCommand.Run(args, o, new StringWriter());
        return (code, o.ToString());
    }
}
