using System.Diagnostics;
using System.Text;
using Kvmspec.Cli;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Oracle;
using Kvmspec.Model.Scenarios;
using Kvmspec.Model.X86;
using Kvmspec.Properties.Docs;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Oracle;

/// <summary>Bad input gets one line naming file, line and field, and exit 2; nothing else escapes and
/// nothing hangs, whatever the input.</summary>
public class BadInputTests(ITestOutputHelper output)
{
    private const string Header = """{"v":1,"kind":"header","arch":"arm64","profile":"full","producer":"test","initial_pc":4096,"program":[{"kind":"Nop"}]}""";

    public static TheoryData<string, string, int, string, string> BadTraces => new()
    {
        { "empty", "", 1, "", "empty file" },
        { "not json", Header + "\n{\"kind\":\"run\"\n", 2, "", "not valid JSON" },
        { "binary", Header + "\n\u0001\u0002\u00ff\u0000garbage\n", 2, "", "not valid JSON" },
        { "not an object", Header + "\n[1,2]\n", 2, "", "a JSON object" },
        { "no header", """{"kind":"run"}""", 1, "kind", "the first line must be the header" },
        { "version", Header.Replace("\"v\":1", "\"v\":2") , 1, "v", "version 2 is not supported" },
        { "arch", Header.Replace("arm64", "sparc"), 1, "arch", "unknown architecture 'sparc' (known: arm64, x86)" },
        { "x86 with a program", Header.Replace("arm64", "x86"), 1, "program", "an x86 trace has no program" },
        { "profile", Header.Replace("\"full\"", "\"partial\""), 1, "profile", "unknown profile 'partial'" },
        { "program kind", Header.Replace("\"Nop\"", "\"Jump\""), 1, "program[0].kind", "unknown InstructionKind 'Jump'" },
        { "unknown kind", Header + "\n{\"kind\":\"teleport\"}\n", 2, "kind", "unknown event kind 'teleport'" },
        { "unknown register", Header + "\n{\"kind\":\"get_one_reg\",\"reg\":\"x31\",\"value\":0}\n", 2, "reg", "unknown OneReg 'x31'" },
        { "unknown field", Header + "\n{\"kind\":\"run\",\"immediate_exitt\":true}\n", 2, "immediate_exitt", "unknown field" },
        { "missing field", Header + "\n{\"kind\":\"complete_mmio\"}\n", 2, "data", "missing" },
        { "wrong type", Header + "\n{\"kind\":\"run\",\"immediate_exit\":\"yes\"}\n", 2, "immediate_exit", "true or false" },
        { "negative", Header + "\n{\"kind\":\"set_one_reg\",\"reg\":\"pc\",\"value\":-4}\n", 2, "value", "unsigned 64-bit" },
        { "too big", Header + "\n{\"kind\":\"set_one_reg\",\"reg\":\"pc\",\"value\":18446744073709551616}\n", 2, "value", "unsigned 64-bit" },
        { "bad hex", Header + "\n{\"kind\":\"set_one_reg\",\"reg\":\"pc\",\"value\":\"0xZZ\"}\n", 2, "value", "hex string" },
        { "exit without run", Header + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_INTR\"}\n", 2, "kind", "without a KVM_RUN in flight" },
        { "run twice", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"run\"}\n", 3, "kind", "already in flight" },
        { "ioctl in flight", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"get_one_reg\",\"reg\":\"pc\",\"value\":0}\n", 3, "kind", "while a KVM_RUN is in flight" },
        { "guest outside run", Header + "\n{\"kind\":\"retired\",\"pc\":4096,\"next_pc\":4100,\"by\":\"hardware\",\"insn\":\"nop\"}\n", 2, "kind", "outside a KVM_RUN" },
        { "truncated run", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"entered\",\"pc\":4096}\n", 3, "", "ends inside a KVM_RUN" },
        { "truncated line", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exit\",\"reason\":\"KVM_EX", 3, "", "not valid JSON" },
        { "end count", Header + "\n{\"kind\":\"signal\"}\n{\"kind\":\"end\",\"events\":2}\n", 3, "events", "counts 2 events but the trace has 1" },
        { "after end", Header + "\n{\"kind\":\"end\",\"events\":0}\n{\"kind\":\"signal\"}\n", 3, "", "after the end record" },
        { "blank inside", Header + "\n\n{\"kind\":\"signal\"}\n", 3, "", "blank line inside the trace" },
        { "step in full", Header + "\n{\"kind\":\"step\",\"pc\":0,\"next_pc\":4,\"len\":4,\"insn\":\"nop\"}\n", 2, "kind", "belongs to the step-log profile" },
        { "mmio len", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_MMIO\",\"phys_addr\":0,\"len\":3,\"is_write\":true}\n", 3, "len", "1, 2, 4 or 8 bytes" },
        { "reason mismatch", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_INTR\",\"exit_reason\":4}\n", 3, "exit_reason", "disagrees" },
        { "flag", Header + "\n{\"kind\":\"set_guest_debug\",\"flags\":\"ENABLE|BLOCKIRQ\"}\n", 2, "flags", "unknown flag 'BLOCKIRQ'" },
        { "spsr mode", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exception\",\"vector\":0,\"elr\":0,\"spsr\":3}\n", 3, "spsr", "M[3:0] mode" },
        { "duplicate field", Header + "\n{\"kind\":\"complete_mmio\",\"data\":1,\"data\":2}\n", 2, "data", "given twice" },
        { "enum list", Header + "\n{\"kind\":\"get_one_reg\",\"reg\":\"pc,pstate\",\"value\":0}\n", 2, "reg", "unknown OneReg" },
        { "enum number", Header + "\n{\"kind\":\"get_one_reg\",\"reg\":\" 3\",\"value\":0}\n", 2, "reg", "unknown OneReg" },
        { "other payload", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_INTR\",\"hsr\":1}\n", 3, "hsr", "not a field of a KVM_EXIT_INTR exit" },
        { "run flags", Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_DEBUG\",\"hsr\":1,\"flags\":65536}\n", 3, "flags", "16 bits" },
        { "control", Header + "\n{\"kind\":\"set_guest_debug\",\"control\":4294967297}\n", 2, "control", "32-bit" },
        { "empty flags", Header + "\n{\"kind\":\"set_guest_debug\",\"flags\":\"\"}\n", 2, "flags", "empty" },
        { "second header", Header + "\n" + Header + "\n", 2, "kind", "a second header" },
        { "deep", Header + "\n" + new string('[', 100) + "\n", 2, "", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadTraces))]
    public void ABadTrace_IsRejected_WithItsLineAndField(string name, string content, int line, string field, string problem) =>
        Support.TraceAssert.Rejected(name, content, line, field, problem, output);

    [Fact]
    public void ALineWithoutEnd_IsRejectedWithoutReadingItAll()
    {
        var huge = new MemoryStream(Encoding.UTF8.GetBytes(Header + "\n" + new string('x', 3 << 20)));
        var e = Assert.Throws<TraceFormatException>(() => TraceReader.ReadAll(huge, "huge"));
        Assert.Contains("line longer than", e.Problem);
    }

    private const string Scenario = """
        id: T
        arch: arm64
        program:
          - {nop: {label: a}}
          - ucall
        steps:
          - run
        expect:
          - {exit: {reason: MMIO}}
        """;

    public static TheoryData<string, string, int, string, string> BadScenarios => new()
    {
        { "empty", "", 1, "", "empty file" },
        { "not yaml", "id: [unclosed", 1, "", "not valid YAML" },
        { "not a mapping", "- a\n- b", 1, "scenario", "a mapping" },
        { "unknown key", Scenario + "\nextra: 1", 10, "extra", "unknown key" },
        { "missing steps", Scenario.Replace("steps:\n  - run\n", ""), 1, "steps", "missing" },
        { "x86", Scenario.Replace("arm64", "x86"), 2, "arch", "x86 scenarios are not modelled yet" },
        { "unknown op", Scenario.Replace("ucall", "jump"), 5, "program", "unknown instruction 'jump'" },
        { "unknown step", Scenario.Replace("  - run", "  - walk"), 7, "steps", "unknown step 'walk'" },
        { "unknown label", Scenario.Replace("{exit: {reason: MMIO}}", "{exit: {pc: L:nowhere}}"), 9, "pc", "unknown label 'nowhere'" },
        { "unknown register", Scenario.Replace("  - run", "  - {get_one_reg: {reg: x9}}"), 7, "reg", "unknown OneReg 'x9'" },
        { "unknown variant", Scenario + "\nvariants: [arm64/v9.9]", 10, "variants", "unknown variant 'arm64/v9.9'" },
        { "unknown reason", Scenario.Replace("MMIO", "TELEPORT"), 9, "reason", "unknown exit reason 'TELEPORT'" },
        { "repeat too big", Scenario.Replace("  - run", "  - {repeat: {n: 5000, steps: [run]}}"), 7, "repeat.n", "from 0 to 1000" },
        { "unknown invariant", Scenario.Replace("{exit: {reason: MMIO}}", "{violation: NO-SUCH}"), 9, "violation", "unknown invariant 'NO-SUCH'" },
        { "nul", "id: T\0", 1, "", "NUL byte" },
    };

    [Theory]
    [MemberData(nameof(BadScenarios))]
    public void ABadScenario_IsRejected_WithItsLineAndField(string name, string content, int line, string field, string problem)
    {
        var e = Assert.Throws<TraceFormatException>(() => ScenarioReader.Read(content, name));
        output.WriteLine(e.Message);
        Assert.Equal((line, field), (e.Line, e.Field));
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void AliasesCannotBlowUpTheReader()
    {
        // A "billion laughs" document: each level refers to the previous one ten times.
        var sb = new StringBuilder("id: T\narch: arm64\nprogram: [nop]\nsteps: [run]\nexpect:\n  - &a0 {count: {of: run, eq: 1}}\n");
        for (int i = 1; i < 8; i++) sb.Append($"  - &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var e = Assert.Throws<TraceFormatException>(() => ScenarioReader.Read(sb.ToString(), "laughs"));
        output.WriteLine(e.Message);
    }

    [Fact]
    public void TheCli_ReportsBadInputInOneLine_AndExits2()
    {
        var dir = Directory.CreateTempSubdirectory("kvmspec-bad");
        try
        {
            var trace = Path.Combine(dir.FullName, "t.jsonl");
            File.WriteAllText(trace, Header + "\n{\"kind\":\"run\"}\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_NOPE\"}\n");
            var scenario = Path.Combine(dir.FullName, "s.yaml");
            File.WriteAllText(scenario, Scenario.Replace("ucall", "jump"));
            foreach (var (args, where) in new[]
            {
                (new[] { "conform", trace }, $"{trace}:3: field 'reason'"),
                (new[] { "conform", trace, "--variant", "arm64/upstream" }, $"{trace}:3: field 'reason'"),
                (new[] { "conform", Path.Combine(dir.FullName, "missing.jsonl") }, "no such file"),
                (new[] { "conform", dir.FullName }, "is a directory"),
                (new[] { "run", scenario }, $"{scenario}:5: field 'program'"),
                (new[] { "record", scenario, "-o", Path.Combine(dir.FullName, "out.jsonl") }, $"{scenario}:5: field 'program'"),
                (new[] { "conform", trace, "--variant", "arm64/v0" }, "unknown variant 'arm64/v0'"),
            })
            {
                var (code, stdout, stderr) = Cli(args);
                output.WriteLine($"{string.Join(' ', args)} -> {code}: {stderr.Trim()}");
                Assert.Equal(2, code);
                Assert.Single(stderr.TrimEnd('\n').Split('\n'));
                Assert.Contains(where, stderr);
            }
        }
        finally { dir.Delete(true); }
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = KvmspecCommand.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    // ---- fuzzing ----

    /// <summary>Mutations that a broken recorder, a bad edit or a damaged file produce.</summary>
    private static string Mutate(string text, Rng r)
    {
        var lines = text.Split('\n').ToList();
        int i = r.Below(lines.Count);
        switch (r.Below(10))
        {
            case 0: // truncate anywhere
                return text[..r.Below(text.Length + 1)];
            case 1: // flip a byte
                var chars = text.ToCharArray();
                if (chars.Length > 0) chars[r.Below(chars.Length)] = (char)r.Below(256);
                return new string(chars);
            case 2: // drop a line
                lines.RemoveAt(i);
                break;
            case 3: // duplicate a line
                lines.Insert(i, lines[i]);
                break;
            case 4: // swap two lines
                int j = r.Below(lines.Count);
                (lines[i], lines[j]) = (lines[j], lines[i]);
                break;
            case 5: // replace a token
                string[] tokens = ["null", "true", "-1", "1e400", "\"x\"", "{}", "[]", "\"0x\"", "18446744073709551615", "\"run\"", ":", "*a", "&a", "- ", "  "];
                var l = lines[i];
                int at = r.Below(l.Length + 1);
                lines[i] = l[..at] + tokens[r.Below(tokens.Length)] + l[Math.Min(l.Length, at + r.Below(6))..];
                break;
            case 6: // binary garbage
                lines.Insert(i, new string(Enumerable.Range(0, 1 + r.Below(40)).Select(_ => (char)r.Below(256)).ToArray()));
                break;
            case 7: // change a number
                lines[i] = System.Text.RegularExpressions.Regex.Replace(lines[i], "[0-9]+", _ => r.Below(3) switch { 0 => "0", 1 => r.Below(70000).ToString(), _ => "4294967296" });
                break;
            case 8: // change an enum-like word
                lines[i] = System.Text.RegularExpressions.Regex.Replace(lines[i], "\"[a-z_]+\"", m => r.Below(2) == 0 ? "\"exit\"" : m.Value.ToUpperInvariant());
                break;
            default: // splice in a line from elsewhere
                lines.Insert(i, lines[r.Below(lines.Count)]);
                break;
        }
        return string.Join('\n', lines);
    }

    /// <summary>Feeds <paramref name="count"/> mutations of the <paramref name="seeds"/> to <paramref name="accept"/>
    /// (given the input's number and text); each must be accepted or rejected with a one-line
    /// <see cref="TraceFormatException"/>, anything else fails, and no input may take 5 s.
    /// Returns how many were rejected and accepted.</summary>
    private static (int Rejected, int Accepted) Fuzz(IReadOnlyList<string> seeds, int count, ulong seed, Action<int, string> accept)
    {
        var r = new Rng(seed);
        int rejected = 0, accepted = 0;
        for (int n = 0; n < count; n++)
        {
            var text = seeds[r.Below(seeds.Count)];
            for (int k = 1 + r.Below(3); k > 0; k--) text = Mutate(text, r);
            var one = Stopwatch.StartNew();
            try
            {
                accept(n, text);
                accepted++;
            }
            catch (TraceFormatException e)
            {
                Assert.True(e.Line >= 0 && !e.Message.Contains('\n'), $"one line with a line number: {e.Message}");
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"input {n} threw {e.GetType().Name}: {e.Message}\n--- input ---\n{text}");
            }
            Assert.True(one.ElapsedMilliseconds < 5000, $"input {n} took {one.ElapsedMilliseconds} ms\n{text}");
        }
        return (rejected, accepted);
    }

    [Fact]
    public void FuzzedTraces_AreJudgedOrRejected_NeverCrash()
    {
        var seeds = Corpus.All.Take(20).Select(c => Simulator.Execute(Arm64Variants.Upstream, c.Script).Trace)
            .Concat(Enumerable.Range(0, 10).Select(k => Simulator.Execute(Arm64Variants.V5_0, ScriptGenerator.Generate(new Rng((ulong)k + 100), 16)).Trace))
            .Select(t => Encoding.UTF8.GetString(TraceWriter.Bytes(t)))
            .Append(OracleTests.StepLogWithEmulatedLoad)
            .ToList();
        var sw = Stopwatch.StartNew();
        var (rejected, judged) = Fuzz(seeds, 4000, 2026, (n, text) =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Conformance.Check(() => new MemoryStream(bytes), "fuzz", n % 2 == 0 ? Arm64Variants.Upstream : null);
        });
        output.WriteLine($"4000 mutated traces: {rejected} rejected, {judged} judged, {sw.ElapsedMilliseconds} ms");
        Assert.True(rejected > 1000 && judged > 100, "the mutations exercise both outcomes");
    }

    [Fact]
    public void FuzzedX86Traces_AreJudgedOrRejected_NeverCrash()
    {
        var seeds = X86Corpus.All.Select(c => X86Simulator.Execute(X86Variants.Upstream, c.Script(X86Variants.Upstream)).Trace)
            .Concat(Enumerable.Range(0, 10).Select(k => X86Simulator.Execute(X86Variants.Pre94fe45da, X86ScriptGenerator.Generate(X86Variants.Pre94fe45da, new Rng((ulong)k + 100), 16)).Trace))
            .Select(t => Encoding.UTF8.GetString(TraceWriter.Bytes(t)))
            .ToList();
        var sw = Stopwatch.StartNew();
        var (rejected, judged) = Fuzz(seeds, 3000, 86, (_, text) =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Conformance.Check(() => new MemoryStream(bytes), "fuzz", null);
        });
        output.WriteLine($"3000 mutated x86 traces: {rejected} rejected, {judged} judged, {sw.ElapsedMilliseconds} ms");
        Assert.True(rejected > 500 && judged > 100, "the mutations exercise both outcomes");
    }

    [Fact]
    public void FuzzedScenarios_AreRunOrRejected_NeverCrash()
    {
        var dir = Path.Combine(DocsInStepTests.RepoRoot(), "tests", "Scenarios");
        var seeds = Directory.GetFiles(dir, "*.yaml").Select(File.ReadAllText).ToList();
        Assert.NotEmpty(seeds);
        var sw = Stopwatch.StartNew();
        var (rejected, ran) = Fuzz(seeds, 3000, 11, (_, text) =>
        {
            var s = ScenarioReader.Read(text, "fuzz.yaml");
            ScenarioRunner.Run(s, Arm64Variants.Find(s.Variants[0])!);
        });
        output.WriteLine($"3000 mutated scenarios: {rejected} rejected, {ran} ran, {sw.ElapsedMilliseconds} ms");
        Assert.True(rejected > 500 && ran > 100, "the mutations exercise both outcomes");
    }
}
