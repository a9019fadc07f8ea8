using System.Text;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;
using Xunit;

namespace Kvmspec.Properties.X86;

/// <summary>The x86 invariants read a set_sync_regs with KVM_SYNC_X86_REGS dirty as KVM_SET_REGS at
/// the next KVM_RUN (x86.c sync_regs()): PC-ONCE takes its RIP, STEP-ONE cancels a step armed at
/// another RIP, the guest view (NO-LEAK) takes its RFLAGS. Each trace has a control: the same
/// store without the REGS dirty bit, with a bit KVM does not know (KVM_RUN fails before copying
/// anything), or made while the KVM_RUN is in flight (the next KVM_RUN reads it), where the
/// invariant must judge as if the store had not moved anything.</summary>
public class X86SyncRegsInvariantTests
{
    private const string Header = """{"v":1,"kind":"header","arch":"x86","profile":"full","producer":"test","initial_pc":4096,"initial_pstate":514}""";

    private static string Sync(uint valid, uint dirty, ulong rip, ulong rflags = 0x202) =>
        $$$$$"""{"kind":"set_sync_regs","kvm_valid_regs":{{{{{valid}}}}},"kvm_dirty_regs":{{{{{dirty}}}}},"s_regs":{"regs":{"rip":{{{{{rip}}}}},"rflags":{{{{{rflags}}}}},"rbx":0},"sregs":{"apic_base":2048,"cr4_pae":true},"events":{"exception":{"nr":0,"injected":false,"pending":false}}}}""";

    private static IReadOnlyList<Violation> Violations(string invariant, params string[] lines)
    {
        var t = TraceReader.ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", [Header, .. lines]) + "\n")), "mem");
        return TraceChecker.Check(t, X86Invariants.All).Single(v => v.Invariant == invariant).Violations;
    }

    private const string Run = """{"kind":"run"}""";
    private const string Intr = """{"kind":"exit","reason":"KVM_EXIT_INTR","pc":8194}""";
    private static readonly string[] TwoNops =
    [
        """{"kind":"entered","pc":8192}""",
        """{"kind":"retired","pc":8192,"next_pc":8193,"by":"hardware","insn":"nop"}""",
        """{"kind":"retired","pc":8193,"next_pc":8194,"by":"hardware","insn":"nop"}""",
    ];

    [Fact]
    public void PcOnce_TakesTheRip_OfADirtyRegsSync_AtTheNextRun()
    {
        Assert.Empty(Violations(PcOnce.Id, [Sync(0, 1, 0x2000), Run, .. TwoNops, Intr]));
        Assert.Empty(Violations(PcOnce.Id, [Sync(1, 7, 0x2000), Run, .. TwoNops, Intr]));
        // Controls: not dirty; a bit KVM does not know; stored while this KVM_RUN is in flight.
        foreach (var lines in new[]
        {
            new[] { Sync(1, 0, 0x2000), Run },
            [Sync(0x80000000, 1, 0x2000), Run],
            [Run, Sync(0, 1, 0x2000)],
        })
            Assert.Contains(Violations(PcOnce.Id, [.. lines, .. TwoNops, Intr]), v => v.Path == "moved");
    }

    [Fact]
    public void StepOne_ADirtyRegsSyncThatMovesRip_CancelsTheArmedStep_AsKvmSetRegsDoes()
    {
        const string Step = """{"kind":"set_guest_debug","control":3}""";
        Assert.Empty(Violations(StepOne.Id, [Step, Sync(0, 1, 0x2000), Run, .. TwoNops, Intr]));
        Assert.Contains(Violations(StepOne.Id, [Step, Sync(0, 0, 0x2000), Run, .. TwoNops, Intr]), v => v.Path == "extra");
        // Not moved (RIP stays where the step was armed): the step stands.
        Assert.Contains(Violations(StepOne.Id, [Step, Sync(0, 1, 0x1000), Run,
            """{"kind":"entered","pc":4096}""",
            """{"kind":"retired","pc":4096,"next_pc":4097,"by":"hardware","insn":"nop"}""",
            """{"kind":"retired","pc":4097,"next_pc":4098,"by":"hardware","insn":"nop"}""",
            """{"kind":"exit","reason":"KVM_EXIT_INTR","pc":4098}"""]), v => v.Path == "extra");
    }

    [Fact]
    public void TheGuestView_TakesTheRflags_OfADirtyRegsSync_NoLeakSeesTheGuestsOwnTf()
    {
        string[] rest = [Run, """{"kind":"exit","reason":"KVM_EXIT_INTR","pc":4096}""", """{"kind":"get_regs","rip":4096,"rflags":770,"rbx":0}"""];
        Assert.Empty(Violations(NoLeak.Id, [Sync(0, 1, 0x1000, 0x302), .. rest]));
        Assert.Contains(Violations(NoLeak.Id, [Sync(0, 0, 0x1000, 0x302), .. rest]), v => v.Path == "userspace");
    }
}
