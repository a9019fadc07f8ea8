using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Kvmspec.Cli;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Model.Oracle;
using Kvmspec.Model.X86;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.X86;

/// <summary>x86 traces through the oracle: what the writer writes for the x86 model the reader reads
/// back, event for event and verdict for verdict; bad x86 input is rejected with its line and field;
/// <c>kvmspec conform</c> judges an x86 trace with the x86 catalogue and refuses an x86 replay.</summary>
public class X86TraceReadingTests(ITestOutputHelper output)
{
    private static Trace Read(byte[] bytes) => TraceReader.ReadAll(new MemoryStream(bytes), "mem");

    private static IEnumerable<(string, VerdictKind, long, string)> Summary(IEnumerable<Verdict> vs) =>
        vs.Select(v => (v.Invariant, v.Kind, v.Total, string.Join("; ", v.Violations)));

    /// <summary>The round trip of one trace: the same header and events, and the same verdicts in memory,
    /// after reading back, and from the streaming oracle.</summary>
    internal static bool RoundTrips(Trace t, out string why)
    {
        var bytes = TraceWriter.Bytes(t);
        var back = Read(bytes);
        var before = Summary(TraceChecker.Check(t, X86Invariants.All)).ToList();
        var after = Summary(TraceChecker.Check(back, X86Invariants.All)).ToList();
        var streamed = Summary(Conformance.Check(() => new MemoryStream(bytes), "mem", null).Verdicts).ToList();
        int firstDiff = Enumerable.Range(0, Math.Min(t.Events.Length, back.Events.Length)).FirstOrDefault(i => !t.Events[i].Equals(back.Events[i]), -1);
        why = back.Header != t.Header ? $"header {t.Header} -> {back.Header}"
            : firstDiff >= 0 ? $"event {firstDiff}: {t.Events[firstDiff]} -> {back.Events[firstDiff]}"
            : back.Events.Length != t.Events.Length ? $"{t.Events.Length} events -> {back.Events.Length}"
            : !before.SequenceEqual(after) ? $"verdicts {string.Join(", ", before)} -> {string.Join(", ", after)}"
            : !before.SequenceEqual(streamed) ? $"streamed verdicts {string.Join(", ", streamed)}"
            : "";
        return why.Length == 0;
    }

    [Fact]
    public void EveryCorpusTrace_OfEveryX86Variant_ReadsBackWithTheSameEventsAndVerdicts()
    {
        var kinds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in X86Variants.All)
            foreach (var entry in X86Corpus.All)
            {
                var t = X86Simulator.Execute(v, entry.Script(v)).Trace;
                foreach (var e in t.Events) kinds.Add(e.Verb);
                Assert.True(RoundTrips(t, out var why), $"{v.Label} {entry.Name}: {why}");
            }
        output.WriteLine($"kinds written and read back: {string.Join(", ", kinds)}");
        // The corpus exercises the x86 vocabulary: every x86-only record and the x86 forms of the shared ones.
        Assert.Subset(kinds, new SortedSet<string>(["set_guest_debug", "run", "get_regs", "complete_mmio", "irq_pending", "exit", "entered", "retired", "exception", "note"]));
    }

    [Fact]
    public void RandomX86Traces_OfEveryVariant_ReadBackWithTheSameEventsAndVerdicts() =>
        Props.Check(Arb.From(
            from i in Gen.Choose(0, X86Variants.All.Count - 1)
            from seed in Gen.Choose(0, int.MaxValue)
            from size in Gen.Choose(1, 30)
            select (Variant: X86Variants.All[i], Seed: (ulong)seed, Size: size)), x =>
        {
            var t = X86Simulator.Execute(x.Variant, X86ScriptGenerator.Generate(x.Variant, new Rng(x.Seed), x.Size)).Trace;
            return RoundTrips(t, out var why).Label($"{x.Variant.Label} seed {x.Seed} size {x.Size}: {why}")
                .Classify(t.Events.Any(e => e is CompleteIo), "complete_io")
                .Classify(t.Events.Any(e => e is SetRegs), "set_regs")
                .Classify(t.Events.Any(e => e is Exit { Payload: IoPayload }), "KVM_EXIT_IO")
                .Classify(t.Events.Any(e => e is X86SetGuestDebug { Error: not null }), "refused set_guest_debug")
                .Classify(t.Events.Any(e => e is X86SetGuestDebug s && s.Control.HasFlag(Kvmspec.Spec.Kvm.X86GuestDebug.KVM_GUESTDBG_USE_HW_BP)), "USE_HW_BP")
                .Classify(TraceChecker.Check(t, X86Invariants.All).Any(v => v.Kind == VerdictKind.Violated), "violating");
        }, output, maxTest: 300);

    [Fact]
    public void TheX86WorkedExample_InTheTraceFormatDoc_IsTheModelsTrace_AndConforms()
    {
        var doc = File.ReadAllText(Path.Combine(Kvmspec.Properties.Docs.DocsInStepTests.RepoRoot(), "docs", "trace-format.md"));
        int at = doc.IndexOf("### (c) An x86 trace", StringComparison.Ordinal);
        Assert.True(at >= 0, "docs/trace-format.md has no x86 worked example");
        int start = doc.IndexOf("```json\n", at, StringComparison.Ordinal) + "```json\n".Length;
        var block = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var v = X86Variants.Upstream;
        var model = Encoding.UTF8.GetString(TraceWriter.Bytes(X86Simulator.Execute(v, X86Corpus.All.Single(c => c.Name == "step-out").Script(v)).Trace));
        Assert.Equal(model, block);
        var r = Conformance.Check(() => new MemoryStream(Encoding.UTF8.GetBytes(block)), "example-c", null);
        Assert.True(r.Conforms);
        Assert.All(r.Verdicts, vd => Assert.Equal(VerdictKind.Holds, vd.Kind));
    }

    /// <summary>LX-X86-UIO-01's trace (string input: the io <c>count</c>, <c>rep insb</c> completions whose
    /// next_pc is their pc while RCX is not 0, KVM_SET_REGS with RCX and RDI) reads back with the same
    /// events and verdicts. The LX-X86-SR traces are read back by their own tests (every session's
    /// final check, LinuxSelftestsX86SyncRegsTests).</summary>
    [Fact]
    public void TheUserspaceIoSelftestsTrace_ReadsBackWithTheSameEventsAndVerdicts()
    {
        var t = LinuxSelftestsX86UserspaceIoTests.Uio01();
        Assert.Contains(t.Events, e => e is Retired { Completion: true } r && r.Insn.StartsWith("rep insb", StringComparison.Ordinal) && r.NextPc == r.Pc);
        Assert.Contains(t.Events, e => e is Exit { Payload: IoPayload { Count: > 1 } });
        Assert.Contains(t.Events, e => e is SetRegs { Rcx: not null, Rdi: not null });
        Assert.Contains(t.Events, e => e is GetRegs { Rcx: not 0, Rdi: not 0 });
        Assert.True(RoundTrips(t, out var why), why);
    }

    /// <summary>What the reader allows for the KVM_CAP_SYNC_REGS records: set_sync_regs in a run (a store to
    /// kvm_run, not an ioctl) and outside one, with any bits (an unknown one is KVM's to refuse);
    /// store_regs right after an exit or a run_failed, notes between; hex strings; x_ extensions at
    /// every level of s_regs; RCX and RDI absent from set_regs read as "as read".</summary>
    [Fact]
    public void SyncRegsRecords_AreReadWhereTheFormatAllowsThem()
    {
        var text = string.Join("\n",
            Header,
            SyncRegs.Replace("\"kvm_valid_regs\":7", "\"kvm_valid_regs\":2147483648"),
            "{\"kind\":\"run\"}",
            "{\"kind\":\"run_failed\",\"errno\":\"EINVAL\"}",
            "{\"kind\":\"note\",\"lane\":\"kvm\",\"text\":\"store_regs\"}",
            StoreRegs.Replace("\"stored\":7", "\"stored\":0"),
            "{\"kind\":\"run\"}",
            SyncRegs.Replace("\"kvm_dirty_regs\":0", "\"kvm_dirty_regs\":\"0x4\"").Replace("\"nr\":0", "\"nr\":\"0xff\"").Replace("\"pending\":false}", "\"pending\":false,\"x_why\":1}"),
            Intr,
            StoreRegs.Replace("\"regs\":{", "\"x_fpu\":{},\"regs\":{"),
            "{\"kind\":\"set_regs\",\"rip\":4096,\"rflags\":514,\"rbx\":0,\"rdi\":0}",
            "{\"kind\":\"get_regs\",\"rip\":4096,\"rflags\":514,\"rbx\":0}",
            "");
        var t = TraceReader.ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(text)), "sync-regs");
        var area = new Kvmspec.Spec.Kvm.kvm_sync_regs(4096, 514, 0, 2048, true, Kvmspec.Spec.Kvm.kvm_vcpu_events_exception.None);
        Assert.Equal<TraceEvent>([
            new SetSyncRegs((Kvmspec.Spec.Kvm.KvmSyncRegs)0x80000000, Kvmspec.Spec.Kvm.KvmSyncRegs.None, area),
            new Run(),
            new RunFailed(Kvmspec.Spec.Kvm.Errno.EINVAL, null),
            new Note(Lane.Kvm, "store_regs"),
            new StoreRegs(Kvmspec.Spec.Kvm.KvmSyncRegs.None, Kvmspec.Spec.Kvm.KvmSyncRegs.None, area),
            new Run(),
            new SetSyncRegs(Kvmspec.Spec.Kvm.KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS, Kvmspec.Spec.Kvm.KvmSyncRegs.KVM_SYNC_X86_EVENTS, area with { exception = new(255, false, false) }),
            new Exit(Kvmspec.Spec.Kvm.KvmExitReason.KVM_EXIT_INTR, null, null),
            new StoreRegs(Kvmspec.Spec.Kvm.KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS, Kvmspec.Spec.Kvm.KvmSyncRegs.None, area),
            new SetRegs(4096, 514, 0, null, 0),
            new GetRegs(4096, 514, 0, 0, 0),
        ], t.Events);
    }

    // ---- bad input ----

    private const string Header = """{"v":1,"kind":"header","arch":"x86","profile":"full","producer":"test","initial_pc":4096,"initial_pstate":"0x202"}""";
    private const string Run = "\n{\"kind\":\"run\"}";
    private const string Intr = "{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_INTR\"}";
    private const string Area = "\"s_regs\":{\"regs\":{\"rip\":4096,\"rflags\":514,\"rbx\":0},\"sregs\":{\"apic_base\":2048,\"cr4_pae\":true},\"events\":{\"exception\":{\"nr\":0,\"injected\":false,\"pending\":false}}}";
    private const string SyncRegs = "{\"kind\":\"set_sync_regs\",\"kvm_valid_regs\":7,\"kvm_dirty_regs\":0," + Area + "}";
    private const string StoreRegs = "{\"kind\":\"store_regs\",\"stored\":7,\"kvm_dirty_regs\":0," + Area + "}";

    public static TheoryData<string, string, int, string, string> BadX86Traces => new()
    {
        { "arm64 verb", Header + "\n{\"kind\":\"get_one_reg\",\"reg\":\"pc\",\"value\":0}\n", 2, "kind", "'get_one_reg' is an arm64 event, not one of an x86 trace" },
        { "x86 verb in arm64", Header.Replace("\"x86\"", "\"arm64\"").Replace(",\"initial_pstate\":\"0x202\"", "") + "\n{\"kind\":\"get_regs\",\"rip\":0,\"rflags\":2,\"rbx\":0}\n", 2, "kind", "'get_regs' is an x86 event; this trace's header says arm64" },
        { "unknown verb", Header + "\n{\"kind\":\"set_sregs\"}\n", 2, "kind", "unknown event kind 'set_sregs'" },
        { "arm64 field", Header + "\n{\"kind\":\"set_guest_debug\",\"control\":1,\"dbg_bvr0\":4096}\n", 2, "dbg_bvr0", "unknown field" },
        { "wrong type", Header + "\n{\"kind\":\"get_regs\",\"rip\":\"yes\",\"rflags\":2,\"rbx\":0}\n", 2, "rip", "unsigned 64-bit" },
        { "missing rbx", Header + "\n{\"kind\":\"set_regs\",\"rip\":4096,\"rflags\":2}\n", 2, "rbx", "missing" },
        { "arm64 flag", Header + "\n{\"kind\":\"set_guest_debug\",\"flags\":\"ENABLE|USE_HW\"}\n", 2, "flags", "unknown flag 'USE_HW'" },
        { "flag case", Header + "\n{\"kind\":\"set_guest_debug\",\"flags\":\"enable\"}\n", 2, "flags", "unknown flag 'enable'" },
        { "control bit", Header + "\n{\"kind\":\"set_guest_debug\",\"control\":4}\n", 2, "control", "does not define on x86" },
        { "control vs flags", Header + "\n{\"kind\":\"set_guest_debug\",\"control\":1,\"flags\":\"ENABLE|BLOCKIRQ\"}\n", 2, "flags", "disagrees with control 0x1" },
        { "dr7 without USE_HW_BP", Header + "\n{\"kind\":\"set_guest_debug\",\"flags\":\"ENABLE\",\"dr7\":1024}\n", 2, "dr7", "only with USE_HW_BP" },
        { "USE_HW_BP without dr7", Header + "\n{\"kind\":\"set_guest_debug\",\"flags\":\"ENABLE|USE_HW_BP\",\"dr0\":4096}\n", 2, "dr7", "missing" },
        { "errno", Header + "\n{\"kind\":\"set_guest_debug\",\"control\":1,\"error\":\"EPERM\"}\n", 2, "error", "unknown Errno 'EPERM'" },
        { "debug exception", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_DEBUG\",\"exception\":13,\"debug_pc\":0,\"dr6\":0,\"dr7\":1024}\n", 3, "exception", "#DB (1) or #BP (3), not 13" },
        { "arm64 payload", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_DEBUG\",\"hsr\":1}\n", 3, "hsr", "an arm64 exit field; an x86 KVM_EXIT_DEBUG exit has exception, debug_pc, dr6, dr7" },
        { "other payload", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_INTR\",\"dr6\":1}\n", 3, "dr6", "not a field of a KVM_EXIT_INTR exit" },
        { "nisv", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_ARM_NISV\"}\n", 3, "reason", "not an x86 exit" },
        { "io size", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_IO\",\"port\":128,\"size\":3,\"direction\":\"in\",\"count\":1}\n", 3, "size", "1, 2 or 4 bytes" },
        { "io port", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_IO\",\"port\":65536,\"size\":1,\"direction\":\"in\",\"count\":1}\n", 3, "port", "16 bits" },
        { "io direction", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_IO\",\"port\":128,\"size\":1,\"direction\":\"OUT\",\"count\":1,\"data\":0}\n", 3, "direction", "\"in\" or \"out\"" },
        { "io out data", Header + Run + "\n{\"kind\":\"exit\",\"reason\":\"KVM_EXIT_IO\",\"port\":128,\"size\":1,\"direction\":\"out\",\"count\":1}\n", 3, "data", "missing" },
        { "vector", Header + Run + "\n{\"kind\":\"exception\",\"vector\":256,\"rip\":0,\"rflags\":2,\"handler\":0}\n", 3, "vector", "0 to 255" },
        { "arm64 exception", Header + Run + "\n{\"kind\":\"exception\",\"vector\":1,\"elr\":0,\"spsr\":5}\n", 3, "rip", "missing" },
        { "exception outside run", Header + "\n{\"kind\":\"exception\",\"vector\":1,\"rip\":0,\"rflags\":2,\"handler\":0}\n", 2, "kind", "outside a KVM_RUN" },
        { "ioctl in flight", Header + Run + "\n{\"kind\":\"complete_io\",\"data\":1}\n", 3, "kind", "while a KVM_RUN is in flight" },
        { "rcx type", Header + "\n{\"kind\":\"get_regs\",\"rip\":0,\"rflags\":2,\"rbx\":0,\"rcx\":-1}\n", 2, "rcx", "unsigned 64-bit" },
        { "rdi type", Header + "\n{\"kind\":\"set_regs\",\"rip\":0,\"rflags\":2,\"rbx\":0,\"rdi\":true}\n", 2, "rdi", "unsigned 64-bit" },
        { "rdx", Header + "\n{\"kind\":\"set_regs\",\"rip\":0,\"rflags\":2,\"rbx\":0,\"rdx\":1}\n", 2, "rdx", "unknown field" },
        { "sync regs missing s_regs", Header + "\n{\"kind\":\"set_sync_regs\",\"kvm_valid_regs\":7,\"kvm_dirty_regs\":0}\n", 2, "s_regs", "missing" },
        { "sync regs missing part", Header + "\n" + SyncRegs.Replace(",\"sregs\":{\"apic_base\":2048,\"cr4_pae\":true}", ""), 2, "s_regs.sregs", "missing" },
        { "sync regs missing field", Header + "\n" + SyncRegs.Replace(",\"rbx\":0", ""), 2, "s_regs.regs.rbx", "missing" },
        { "sync regs missing exception", Header + "\n" + SyncRegs.Replace("{\"exception\":{\"nr\":0,\"injected\":false,\"pending\":false}}", "{}"), 2, "s_regs.events.exception", "missing" },
        { "sync regs unknown part", Header + "\n" + SyncRegs.Replace("\"regs\":{", "\"fpu\":{},\"regs\":{"), 2, "s_regs.fpu", "unknown field" },
        { "sync regs unknown register", Header + "\n" + SyncRegs.Replace("\"rbx\":0", "\"rbx\":0,\"rax\":0"), 2, "s_regs.regs.rax", "unknown field" },
        { "sync regs kernel name", Header + "\n" + SyncRegs.Replace("cr4_pae", "cr4"), 2, "s_regs.sregs.cr4_pae", "missing" },
        { "sync regs part type", Header + "\n" + SyncRegs.Replace("\"regs\":{\"rip\":4096,\"rflags\":514,\"rbx\":0}", "\"regs\":[]"), 2, "s_regs.regs", "an object, not an array" },
        { "sync regs bool", Header + "\n" + SyncRegs.Replace("\"cr4_pae\":true", "\"cr4_pae\":1"), 2, "s_regs.sregs.cr4_pae", "true or false" },
        { "sync regs vector", Header + "\n" + SyncRegs.Replace("\"nr\":0", "\"nr\":256"), 2, "s_regs.events.exception.nr", "0 to 255" },
        { "sync regs bits", Header + "\n" + SyncRegs.Replace("\"kvm_valid_regs\":7", "\"kvm_valid_regs\":\"REGS\""), 2, "kvm_valid_regs", "unsigned 64-bit" },
        { "sync regs 64-bit", Header + "\n" + SyncRegs.Replace("\"kvm_dirty_regs\":0", "\"kvm_dirty_regs\":4294967296"), 2, "kvm_dirty_regs", "32-bit" },
        { "sync regs twice", Header + "\n" + SyncRegs.Replace("\"rbx\":0", "\"rbx\":0,\"rbx\":1"), 2, "s_regs.regs.rbx", "given twice" },
        { "store_regs stored bit", Header + Run + "\n" + Intr + "\n" + StoreRegs.Replace("\"stored\":7", "\"stored\":2147483655"), 4, "stored", "bits store_regs() does not copy (0x80000000" },
        { "store_regs outside a return", Header + "\n" + StoreRegs, 2, "kind", "store_regs not right after an exit or run_failed" },
        { "store_regs in flight", Header + Run + "\n" + StoreRegs, 3, "kind", "store_regs not right after an exit or run_failed" },
        { "store_regs twice", Header + Run + "\n" + Intr + "\n" + StoreRegs + "\n" + StoreRegs, 5, "kind", "store_regs not right after an exit or run_failed" },
        { "store_regs after an input", Header + Run + "\n" + Intr + "\n" + SyncRegs + "\n" + StoreRegs, 5, "kind", "store_regs not right after an exit or run_failed" },
        { "store_regs missing dirty", Header + Run + "\n" + Intr + "\n" + StoreRegs.Replace(",\"kvm_dirty_regs\":0", ""), 4, "kvm_dirty_regs", "missing" },
        { "store_regs valid", Header + Run + "\n" + Intr + "\n" + StoreRegs.Replace("\"stored\"", "\"kvm_valid_regs\""), 4, "stored", "missing" },
        { "sync regs in arm64", Header.Replace("\"x86\"", "\"arm64\"").Replace(",\"initial_pstate\":\"0x202\"", "") + "\n" + SyncRegs, 2, "kind", "'set_sync_regs' is an x86 event; this trace's header says arm64" },
        { "step log", Header.Replace("\"full\"", "\"step-log\""), 1, "profile", "an x86 trace has the full profile" },
        { "program", Header.Replace("}", ",\"program\":[{\"kind\":\"Nop\"}]}"), 1, "program", "an x86 trace has no program" },
        { "rflags", Header.Replace("0x202", "0x200"), 1, "initial_pstate", "not an RFLAGS value" },
    };

    [Theory]
    [MemberData(nameof(BadX86Traces))]
    public void ABadX86Trace_IsRejected_WithItsLineAndField(string name, string content, int line, string field, string problem) =>
        Support.TraceAssert.Rejected(name, content, line, field, problem, output);

    [Fact]
    public void AnX86HeaderWithAnEmptyProgram_IsRead_AsNoProgram()
    {
        var t = TraceReader.ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(Header.Replace("}", ",\"program\":[]}") + "\n")), "empty-program");
        Assert.Null(t.Header.Program);
        Assert.Equal(X86Simulator.InitialRflags, t.Header.InitialPstate);
    }

    // ---- kvmspec conform ----

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = KvmspecCommand.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>KVM_GET_REGS while the host steps: before 94fe45da kvm_get_rflags() did not hide the host's TF.</summary>
    private static Trace StepGetRegs(X86Variant v) => X86Simulator.Execute(v, X86Corpus.All.Single(c => c.Name == "step-getregs").Script(v)).Trace;

    [Fact]
    public void Conform_OnAnX86Trace_JudgesWithTheX86Catalogue_AndFindsTheLeakOfPre94fe45da()
    {
        var dir = Directory.CreateTempSubdirectory("kvmspec-x86");
        try
        {
            var clean = Path.Combine(dir.FullName, "upstream.jsonl");
            var leaky = Path.Combine(dir.FullName, "pre-94fe45da.jsonl");
            File.WriteAllBytes(clean, TraceWriter.Bytes(StepGetRegs(X86Variants.Upstream)));
            File.WriteAllBytes(leaky, TraceWriter.Bytes(StepGetRegs(X86Variants.Pre94fe45da)));

            var (ok, okOut, okErr) = Cli("conform", clean);
            output.WriteLine(okOut + okErr);
            Assert.Equal(0, ok);
            Assert.Contains($"{clean}: x86, profile full", okOut);
            foreach (var inv in X86Invariants.All) Assert.Contains(inv.Id, okOut);
            Assert.DoesNotContain("OSLOCK", okOut);
            Assert.Contains("verdict: conforms", okOut);

            var (bad, badOut, _) = Cli("conform", leaky);
            output.WriteLine(badOut);
            Assert.Equal(1, bad);
            Assert.Contains("NO-LEAK", badOut);
            Assert.Contains("userspace: event", badOut);
            Assert.Contains("verdict: violates", badOut);

            var (badJ, json, _) = Cli("conform", leaky, "--format", "json");
            Assert.Equal(1, badJ);
            var root = JsonNode.Parse(json)!;
            Assert.Equal("x86", (string)root["arch"]!);
            Assert.False((bool)root["conforms"]!);
            Assert.Contains(root["verdicts"]!.AsArray(), v => (string)v!["invariant"]! == "NO-LEAK" && (string)v["verdict"]! == "violated"
                && v["violations"]!.AsArray().Any(x => (string)x!["path"]! == "userspace"));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Conform_OnTheUserspaceIoSelftestsTrace_Conforms()
    {
        var dir = Directory.CreateTempSubdirectory("kvmspec-x86");
        try
        {
            var path = Path.Combine(dir.FullName, "uio.jsonl");
            File.WriteAllBytes(path, TraceWriter.Bytes(LinuxSelftestsX86UserspaceIoTests.Uio01()));
            var (code, o, err) = Cli("conform", path);
            output.WriteLine(o + err);
            Assert.Equal(0, code);
            Assert.Contains($"{path}: x86, profile full, producer \"LX-X86-UIO\"", o);
            Assert.Contains("verdict: conforms", o);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Conform_WithAVariant_OnAnX86Trace_IsBadInput_NeverASilentSkip()
    {
        var dir = Directory.CreateTempSubdirectory("kvmspec-x86");
        try
        {
            var trace = Path.Combine(dir.FullName, "t.jsonl");
            File.WriteAllBytes(trace, TraceWriter.Bytes(StepGetRegs(X86Variants.Upstream)));
            foreach (var (args, says) in new[]
            {
                (new[] { "conform", trace, "--variant", "x86/upstream" }, "--variant x86/upstream: replay runs the arm64 model only"),
                (new[] { "conform", trace, "--variant", "arm64/upstream" }, $"{trace}:1: field 'arch': replay (--variant arm64/upstream) runs the arm64 model only"),
            })
            {
                var (code, o, err) = Cli(args);
                output.WriteLine($"{string.Join(' ', args)} -> {code}: {err.Trim()}");
                Assert.Equal(2, code);
                Assert.Empty(o);
                Assert.Single(err.TrimEnd('\n').Split('\n'));
                Assert.Contains(says, err);
            }
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void TheOracle_RefusesToReplayAnX86Trace_OnAnArm64Variant()
    {
        var bytes = TraceWriter.Bytes(StepGetRegs(X86Variants.Upstream));
        var e = Assert.Throws<TraceFormatException>(() => Conformance.Check(() => new MemoryStream(bytes), "x.jsonl", Arm64Variants.Upstream));
        Assert.Equal((1, "arch"), (e.Line, e.Field));
    }
}
