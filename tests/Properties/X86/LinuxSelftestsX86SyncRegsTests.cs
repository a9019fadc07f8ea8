using Kvmspec.Model.Exploration;
using Kvmspec.Model.Machines;
using Kvmspec.Model.X86;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Xunit;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Properties.X86;

/// <summary>LX-X86-SR-01..07 (reference/peer-scenarios-linux-selftests.md §5.1,
/// tools/testing/selftests/kvm/x86/sync_regs_test.c) against x86/upstream: the VMM uses
/// KVM_CAP_SYNC_REGS (kvm_run->kvm_valid_regs, kvm_dirty_regs, s.regs) while the guest loops
/// <c>in al, dx</c> from port 0x1000 (KVM_EXIT_IO, not a ucall), <c>add $1,%rbx</c>, <c>jmp</c> back.
/// Each subtest starts from a fresh vCPU, as KVM_ONE_VCPU_TEST does; every x86 invariant judges
/// the whole trace. KVM_GET_SREGS and KVM_GET_VCPU_EVENTS are not trace events: where the selftest
/// compares the area with them, the test compares with the vCPU state they return.</summary>
public class LinuxSelftestsX86SyncRegsTests
{
    private const ushort UcallPioPort = 0x1000;
    private static readonly X86Program P = X86Program.Of(
        new(X86InstructionKind.In) { Port = UcallPioPort },  // 1: in %dx, %al
        new(X86InstructionKind.AddRbx),                     //    add $0x1, %rbx
        new(X86InstructionKind.Jmp) { Imm = X86Program.Base }); // jmp 1b

    private const KvmSyncRegs All = KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS;
    private const KvmSyncRegs Invalid = (KvmSyncRegs)0x80000000;   // INVALID_SYNC_FIELD
    private const byte UD_VECTOR = 6;

    private sealed class Session
    {
        public X86Ctx C = X86Simulator.Reset(X86Variants.Upstream, P);

        public void Do(TraceEvent e) => C = X86Simulator.Apply(C, Action.Of(e));

        /// <summary>One KVM_RUN to its return: the exit or run_failed.</summary>
        public TraceEvent Run()
        {
            int n = C.Out.Count;
            Do(new Run());
            C = X86Simulator.Settle(C);
            Assert.Null(C.S.Unhandled);
            return C.Out.Skip(n).Single(e => e is Exit or RunFailed);
        }

        public Exit RunToIo()
        {
            var x = Assert.IsType<Exit>(Run());
            Assert.Equal(KvmExitReason.KVM_EXIT_IO, x.Reason);
            Assert.Equal(UcallPioPort, Assert.IsType<IoPayload>(x.Payload).Port);
            return x;
        }

        /// <summary>The VMM's stores to kvm_run: the bits, and the area as it stands with <paramref name="edit"/> applied.</summary>
        public void Write(KvmSyncRegs valid, KvmSyncRegs dirty, Func<kvm_sync_regs, kvm_sync_regs>? edit = null) =>
            Do(new SetSyncRegs(valid, dirty, (edit ?? (r => r))(C.S.s_regs)));

        /// <summary>The area as userspace reads it after the last return.</summary>
        public StoreRegs Area => C.Out.OfType<StoreRegs>().Last();

        public GetRegs GetRegs()
        {
            Do(new GetRegs(0, 0));
            return C.Out.OfType<GetRegs>().Last();
        }

        public int Count<T>() => C.Out.OfType<T>().Count();

        public Trace Trace => new("x86", Trace.FullProfile, "LX-X86-SR", Kvmspec.Spec.Arm64.GuestProgram.Of(), X86Program.Base, [.. C.Out], X86Simulator.InitialRflags);

        /// <summary>No x86 invariant is violated, and the trace reads back (TraceWriter, TraceReader) with the same events and verdicts.</summary>
        public void AllInvariantsHold()
        {
            Assert.All(TraceChecker.Check(Trace, X86Invariants.All), v => Assert.Empty(v.Violations));
            Assert.True(X86TraceReadingTests.RoundTrips(Trace, out var why), why);
        }
    }

    private static void Fails(TraceEvent e) => Assert.Equal(Errno.EINVAL, Assert.IsType<RunFailed>(e).Errno);

    [Fact]
    public void LX_X86_SR_01_UnknownValidOrDirtyBit_KvmRunFailsWithEinval_BeforeAnythingElse()
    {
        var s = new Session();
        foreach (var (valid, dirty) in new[] { (Invalid, KvmSyncRegs.None), (Invalid | All, KvmSyncRegs.None), (KvmSyncRegs.None, Invalid), (KvmSyncRegs.None, Invalid | All) })
        {
            s.Write(valid, dirty, r => r with { rbx = 0x5EED });
            Fails(s.Run());
            // store_regs still runs at out:, for the bits it knows; the dirty parts were not copied in.
            Assert.Equal(valid & All, s.Area.Stored);
            Assert.Equal(dirty, s.Area.DirtyRegs);
            Assert.Equal(0UL, s.C.S.Rbx);
        }
        Assert.Equal(0, s.Count<Entered>());
        s.Write(KvmSyncRegs.None, KvmSyncRegs.None);
        s.RunToIo();
        s.AllInvariantsHold();
    }

    [Fact]
    public void LX_X86_SR_02_AllValid_SharedAreaEqualsGetRegsSregsEvents()
    {
        var s = new Session();
        s.Write(All, KvmSyncRegs.None);
        s.RunToIo();
        var area = s.Area;
        Assert.Equal(All, area.Stored);
        var g = s.GetRegs();
        Assert.Equal((g.Rip, g.Rflags, g.Rbx), (area.Regs.rip, area.Regs.rflags, area.Regs.rbx));
        Assert.Equal(s.C.S.apic_base, area.Regs.apic_base);
        Assert.Equal(kvm_vcpu_events_exception.None, area.Regs.exception);
        s.AllInvariantsHold();
    }

    [Fact]
    public void LX_X86_SR_03_DirtyRegsAndSregs_CopiedInBeforeTheInCompletes_OneAddPerExit()
    {
        var s = new Session();
        s.Write(All, KvmSyncRegs.None);
        s.RunToIo();
        s.Write(All, KvmSyncRegs.KVM_SYNC_X86_REGS | KvmSyncRegs.KVM_SYNC_X86_SREGS, r => r with { rbx = 0xBAD1DEA, apic_base = 1 << 11 });
        int n = s.C.Out.Count;
        s.RunToIo();
        Assert.Equal(0xBAD1DEAUL + 1, s.Area.Regs.rbx);
        Assert.Equal(1UL << 11, s.Area.Regs.apic_base);
        Assert.Equal(KvmSyncRegs.None, s.Area.DirtyRegs);
        Assert.Equal(s.Area.Regs.rbx, s.GetRegs().Rbx);
        Assert.Equal(s.C.S.apic_base, s.Area.Regs.apic_base);
        // Between the two exits: the pending IN completes, then exactly one ADD (and the JMP back).
        var retired = s.C.Out.Skip(n).OfType<Retired>().ToList();
        Assert.True(retired[0].Completion);
        Assert.Single(retired, r => r.Mnemonic == "add");
        s.AllInvariantsHold();
    }

    [Fact]
    public void LX_X86_SR_04_ValidWithoutDirty_AreaOverwrittenWithTheGuestsValues()
    {
        var s = new Session();
        s.Write(All, KvmSyncRegs.None, r => r with { rbx = 0xDEADBEEF });
        s.RunToIo();
        Assert.NotEqual(0xDEADBEEFUL, s.Area.Regs.rbx);
        Assert.Equal(s.C.S.Rbx, s.Area.Regs.rbx);
        s.AllInvariantsHold();
    }

    [Fact]
    public void LX_X86_SR_05_NeitherValidNorDirty_AreaNotRefreshed_SetRegsValueUsed()
    {
        var s = new Session();
        s.Write(All, KvmSyncRegs.None);
        s.RunToIo();
        s.Write(KvmSyncRegs.None, KvmSyncRegs.None, r => r with { rbx = 0xAAAA });
        var g = s.GetRegs();
        // vcpu_regs_set straight after the IO exit, as the selftest does (no immediate_exit re-entry first).
        s.C = X86Simulator.Fire(s.C, X86RunTrigger.KVM_SET_REGS, new SetRegs(g.Rip, g.Rflags, 0xBAC0));
        s.RunToIo();
        Assert.Equal(KvmSyncRegs.None, s.Area.Stored);
        Assert.Equal(0xAAAAUL, s.Area.Regs.rbx);
        Assert.Equal(0xBAC1UL, s.GetRegs().Rbx);
        s.AllInvariantsHold();
    }

    [Fact]
    public void LX_X86_SR_06_DirtyWithoutValid_GuestTakesTheArea_AreaNotRefreshed()
    {
        var s = new Session();
        s.Write(All, KvmSyncRegs.None);
        s.RunToIo();
        s.Write(KvmSyncRegs.None, All, r => r with { rbx = 0xBBBB });
        s.RunToIo();
        Assert.Equal(KvmSyncRegs.None, s.Area.Stored);
        Assert.Equal(KvmSyncRegs.None, s.Area.DirtyRegs);
        Assert.Equal(0xBBBBUL, s.Area.Regs.rbx);
        Assert.Equal(0xBBBCUL, s.GetRegs().Rbx);
        s.AllInvariantsHold();
    }

    /// <summary>race_sync_regs() after its first run: kvm_valid_regs = SREGS once, then 0; the racer stores a part and its dirty bit.</summary>
    private static Session RaceSession()
    {
        var s = new Session();
        s.Write(KvmSyncRegs.KVM_SYNC_X86_SREGS, KvmSyncRegs.None);
        s.RunToIo();
        Assert.True(s.Area.Regs.CR4_PAE);
        s.Write(KvmSyncRegs.None, KvmSyncRegs.None);
        return s;
    }

    private static kvm_sync_regs Exception(kvm_sync_regs r, byte nr, bool injected, bool pending) =>
        r with { exception = new kvm_vcpu_events_exception(nr, injected, pending) };

    /// <summary>LX-X86-SR-07 at the model's granularity: the racer's store lands between two
    /// KVM_RUNs or while one is in flight; sync_regs() takes its copy atomically (0d033770d43a).
    /// Rejected: an injected vector above 31 or NMI, CR4.PAE=0 in long mode (-EINVAL, the dirty bit
    /// stays, the pending IN stays pending and completes on the first KVM_RUN that is not refused).
    /// Dropped: exception.pending without KVM_VCPUEVENT_VALID_PAYLOAD (also with injected: the
    /// injected #UD is delivered once). A store while the vCPU runs is read by the next KVM_RUN.
    /// Not modelled: a store tearing one part between KVM's check and its use (the TOCTOU that
    /// 0d033770d43a closed is below the model's granularity: sync_regs is one step), a lost update
    /// of kvm_dirty_regs between sync_regs' read and its clear, KVM_EXIT_SHUTDOWN and the reload of
    /// saved state (the model's guest has IDT handlers, so #UD does not triple-fault), KVM_TRANSLATE,
    /// SVM's INIT on shutdown, and "no host crash" itself.</summary>
    [Fact]
    public void LX_X86_SR_07_RacingStores_InvalidRejected_PendingDropped_LateStoreReadByTheNextRun()
    {
        // race_exc with the store landing between runs: an injected vector 255 is -EINVAL, KVM_RUN
        // after KVM_RUN, until the area is fixed; nothing is delivered.
        var s = RaceSession();
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_EVENTS, r => Exception(r, 255, injected: true, pending: false));
        int entries = s.Count<Entered>();
        Fails(s.Run());
        Fails(s.Run());
        Assert.Equal(KvmSyncRegs.KVM_SYNC_X86_EVENTS, s.Area.DirtyRegs);
        Assert.Equal(entries, s.Count<Entered>());
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_EVENTS, r => Exception(r, 2, injected: true, pending: false));
        Fails(s.Run()); // NMI_VECTOR
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_EVENTS, r => Exception(r, 255, injected: false, pending: true));
        s.RunToIo(); // pending without VALID_PAYLOAD: dropped, not rejected
        Assert.Equal(KvmSyncRegs.None, s.Area.DirtyRegs);
        Assert.Equal(0, s.Count<X86ExceptionTaken>());
        s.AllInvariantsHold();

        // race_inj_pen: injected and pending at once: pending dropped, the injected #UD delivered once.
        s = RaceSession();
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_EVENTS, r => Exception(r, UD_VECTOR, injected: true, pending: true));
        s.RunToIo();
        Assert.Single(s.C.Out.OfType<X86ExceptionTaken>(), x => x.Vector == UD_VECTOR);
        s.AllInvariantsHold();

        // race_cr4: CR4.PAE cleared under long mode is -EINVAL; PAE set again runs.
        s = RaceSession();
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_SREGS, r => r with { CR4_PAE = false });
        Fails(s.Run());
        Assert.Equal(KvmSyncRegs.KVM_SYNC_X86_SREGS, s.Area.DirtyRegs);
        Assert.True(s.C.S.CR4_PAE);
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_SREGS, r => r with { CR4_PAE = true });
        s.RunToIo();
        s.AllInvariantsHold();

        // The store lands while KVM_RUN is in flight (after sync_regs): this run does not see it,
        // the next one does.
        s = RaceSession();
        s.Do(new Run());
        s.C = X86Simulator.Apply(s.C, Action.Ticks(2));
        Assert.Equal(RunState.InGuest, s.C.S.Run);
        s.Write(KvmSyncRegs.None, KvmSyncRegs.KVM_SYNC_X86_EVENTS, r => Exception(r, 255, injected: true, pending: false));
        s.C = X86Simulator.Settle(s.C);
        Assert.Equal(KvmExitReason.KVM_EXIT_IO, Assert.IsType<Exit>(s.C.Out.Last(e => e is Exit or RunFailed)).Reason);
        Fails(s.Run());
        s.AllInvariantsHold();
    }
}
