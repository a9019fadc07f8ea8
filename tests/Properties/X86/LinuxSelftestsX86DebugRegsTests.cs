using Kvmspec.Model.Exploration;
using Kvmspec.Model.X86;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Xunit;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Properties.X86;

/// <summary>LX-X86-DR-01..06 (reference/peer-scenarios-linux-selftests.md §3, tools/testing/selftests/kvm/x86/debug_regs.c)
/// against x86/upstream, driven the way the selftest drives KVM, with every invariant judging the
/// whole trace. The model's instruction lengths differ from the selftest's (its CPUID and WRMSR are
/// 2 bytes as in the test; its "xor" and "mov" are the model's 1-byte ordinary instruction), so
/// the expected pcs are computed from the model's program, not copied.</summary>
public class LinuxSelftestsX86DebugRegsTests
{
    private static readonly X86Program P = X86Program.Of(
        new(X86InstructionKind.Int3),      // 0 sw_bp
        new(X86InstructionKind.Nop),       // 1 hw_bp
        new(X86InstructionKind.Store),     // 2 store to guest_value; write_data after it
        new(X86InstructionKind.Sti),       // 3 ss_start
        new(X86InstructionKind.Nop),       // 4 xor
        new(X86InstructionKind.Cpuid),     // 5
        new(X86InstructionKind.Nop),       // 6 mov $MSR_IA32_TSC_DEADLINE
        new(X86InstructionKind.Wrmsr),     // 7 fast path
        new(X86InstructionKind.Cli),       // 8
        new(X86InstructionKind.MovFromDr), // 9 bd_start
        new(X86InstructionKind.Out));      // 10 ucall DONE

    private sealed class Session
    {
        public X86Ctx C = X86Simulator.Reset(X86Variants.Upstream, P);

        public Session()
        {
            // The guest runs with IF=0 and an interrupt pending (the self-IPI, vector 0xAA in the test).
            Do(new SetRegs(X86Program.Base, Rflags.Fixed));
            C = X86Simulator.Apply(C, Action.Of(new InterruptPending(IrqTarget.Guest)));
        }

        public void Do(TraceEvent e) => C = X86Simulator.Apply(C, Action.Of(e));

        public Exit Run()
        {
            int n = C.Out.Count;
            Do(new Run());
            C = X86Simulator.Settle(C);
            Assert.Null(C.S.Unhandled);
            return C.Out.Skip(n).OfType<Exit>().Single();
        }

        public ulong Rip => C.S.Rip;
        public void SetRip(ulong rip) => Do(new SetRegs(rip, C.GetRflags()));

        public Trace Trace => new("x86", Trace.FullProfile, "LX-X86-DR", Kvmspec.Spec.Arm64.GuestProgram.Of(), X86Program.Base, [.. C.Out], X86Simulator.InitialRflags);
    }

    private static X86DebugPayload Debug(Exit x, uint exception)
    {
        Assert.Equal(KvmExitReason.KVM_EXIT_DEBUG, x.Reason);
        var d = Assert.IsType<X86DebugPayload>(x.Payload);
        Assert.Equal(exception, d.Exception);
        return d;
    }

    private const X86GuestDebug Enable = X86GuestDebug.KVM_GUESTDBG_ENABLE;

    /// <summary>Runs DR-01 and returns the session at hw_bp.</summary>
    private static Session AfterInt3()
    {
        var s = new Session();
        s.Do(new X86SetGuestDebug(Enable | X86GuestDebug.KVM_GUESTDBG_USE_SW_BP));
        var x = s.Run();
        Assert.Equal(P.AddressOf(0), Debug(x, X86Program.BpVector).Pc);
        s.SetRip(s.Rip + 1);
        return s;
    }

    [Fact]
    public void LX_X86_DR_01_Int3_ExitsWithBpAtTheInt3()
    {
        var s = AfterInt3();
        Assert.DoesNotContain(s.C.Out, e => e is X86ExceptionTaken);
    }

    [Fact]
    public void LX_X86_DR_02_InstructionBreakpoint_EachDr_FaultLike_OneBnBit()
    {
        var s = AfterInt3();
        for (int i = 0; i < 4; i++)
        {
            ulong dr(int k) => k == i ? P.AddressOf(1) : 0;
            s.Do(new X86SetGuestDebug(Enable | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP, Dr7.Fixed | Dr7.G(i), dr(0), dr(1), dr(2), dr(3)));
            var d = Debug(s.Run(), X86Program.DbVector);
            Assert.Equal(P.AddressOf(1), d.Pc);
            Assert.Equal(0xFFFF0FF0UL | (1UL << i), d.Dr6);
            Assert.Equal(P.AddressOf(1), s.Rip);
        }
    }

    [Fact]
    public void LX_X86_DR_03_DataBreakpoint_TrapLike_AfterTheStore()
    {
        var s = AfterInt3();
        s.SetRip(P.AddressOf(2));
        for (int i = 0; i < 4; i++)
        {
            ulong dr(int k) => k == i ? X86Program.DataAddr : 0;
            s.Do(new X86SetGuestDebug(Enable | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP, Dr7.Fixed | Dr7.G(i) | Dr7.Rw(i, Dr7.RwWrite) | Dr7.Len4(i), dr(0), dr(1), dr(2), dr(3)));
            var d = Debug(s.Run(), X86Program.DbVector);
            Assert.Equal(P.AddressOf(3), d.Pc);
            Assert.Equal(0xFFFF0FF0UL | (1UL << i), d.Dr6);
            s.SetRip(P.AddressOf(2));
        }
    }

    [Fact]
    public void LX_X86_DR_04_SingleStepWithBlockIrq_OnePerRun_CpuidAndWrmsrIncluded_NoIrq()
    {
        var s = new Session();
        s.SetRip(P.AddressOf(3));
        for (int k = 0; k < 6; k++)
        {
            s.Do(new X86SetGuestDebug(Enable | X86GuestDebug.KVM_GUESTDBG_SINGLESTEP | X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ, Dr7.Fixed));
            var d = Debug(s.Run(), X86Program.DbVector);
            Assert.Equal(P.AddressOf(4 + k), d.Pc);
            Assert.Equal(0xFFFF4FF0UL, d.Dr6);
        }
        Assert.DoesNotContain(s.C.Out, e => e is X86ExceptionTaken { IsInterrupt: true });
        var verdicts = TraceChecker.Check(s.Trace, X86Invariants.All);
        Assert.All(verdicts, v => Assert.Empty(v.Violations));
    }

    [Fact]
    public void LX_X86_DR_05_GeneralDetect_ExitsBeforeTheMovFromDr_WithBd()
    {
        var s = new Session();
        s.SetRip(P.AddressOf(9));
        s.Do(new X86SetGuestDebug(Enable | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP, Dr7.Fixed | Dr7.GD));
        var d = Debug(s.Run(), X86Program.DbVector);
        Assert.Equal(P.AddressOf(9), d.Pc);
        Assert.Equal(0xFFFF2FF0UL, d.Dr6);
    }

    [Fact]
    public void LX_X86_DR_06_DebugOff_RunsToTheUcall_NoDebugExit_NoIrq()
    {
        var s = new Session();
        s.SetRip(P.AddressOf(8));
        s.Do(new X86SetGuestDebug(X86GuestDebug.None));
        var x = s.Run();
        Assert.Equal(KvmExitReason.KVM_EXIT_IO, x.Reason);
        Assert.DoesNotContain(s.C.Out, e => e is Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG });
        Assert.DoesNotContain(s.C.Out, e => e is X86ExceptionTaken { IsInterrupt: true });
    }
}
