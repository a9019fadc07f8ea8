using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.Machines.RunState, Kvmspec.Model.X86.X86RunTrigger, Kvmspec.Model.X86.X86Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.Machines.RunState, Kvmspec.Model.X86.X86RunTrigger, Kvmspec.Model.X86.X86Ctx>;

namespace Kvmspec.Model.X86;

/// <summary>X86RunProtocol: the KVM_RUN exit/re-entry protocol on x86, over the same control states
/// as arm64's RunProtocol (<see cref="RunState"/>) and the same trace events (KVM_RUN, exits,
/// retirements, guest entries, immediate_exit, signals, completion on re-entry).</summary>
/// <remarks>Sources: x86.c kvm_arch_vcpu_ioctl_run() (complete_userspace_io before the
/// immediate_exit check), vcpu_run()/vcpu_enter_guest() (signal check, kvm_check_and_inject_events:
/// a queued exception first, then, unless BLOCKIRQ, an interrupt if allowed, else an interrupt
/// window), vmx.c vmx_handle_exit() and its handlers; api.rst "KVM_RUN", "KVM_GET_REGS",
/// "KVM_SET_REGS"; KVM_CAP_SYNC_REGS: kvm_arch_vcpu_ioctl_run() checks kvm_valid_regs and
/// kvm_dirty_regs against kvm_sync_valid_fields() (-EINVAL) before anything else, then sync_regs()
/// copies the dirty parts in, then complete_userspace_io runs; store_regs() copies the valid parts
/// out at every return (api.rst "kvm_valid_regs / kvm_dirty_regs / s.regs"; sync_regs_test.c).</remarks>
public static class X86RunProtocol
{
    private static readonly ImmutableArray<RunState> Any = [];
    private static ImmutableArray<RunState> In(params RunState[] s) => [.. s];
    private static readonly ImmutableArray<RunState> Vmm = [RunState.InVmm];
    private static readonly ImmutableArray<RunState> Exit = [RunState.HandlingExit];
    private static readonly ImmutableArray<RunState> Guest = [RunState.InGuest];
    private static R Row(ImmutableArray<RunState> from, X86RunTrigger t, Guard<X86Ctx> g, RunState? to, string source, params Effect<X86Ctx>[] fx) => new(from, t, g, [.. fx], to, source);
    private static Effect<X86Ctx> E(Func<X86Ctx, X86Ctx> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Effect<X86Ctx>.Of(f, n);
    private static Guard<X86Ctx> G(Func<X86Ctx, bool> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Guard<X86Ctx>.Of(f, n);

    private static X86Ctx Fire(X86Ctx c, X86TrapTrigger t) => X86Emulation.Machine.Fire(c, t, (x, w) => x.Unhandled(w));
    private static X86Ctx Fire(X86Ctx c, X86DebugTrigger t) => X86GuestDebugMachine.Machine.Fire(c, t, (x, w) => x.Unhandled(w));
    private static readonly Effect<X86Ctx> set_guest_debug = new("X86GuestDebug.KVM_SET_GUEST_DEBUG", c => Fire(c, X86DebugTrigger.KVM_SET_GUEST_DEBUG));
    private static readonly Effect<X86Ctx> complete_userspace_io = new("X86Emulation.complete_userspace_io", c => Fire(c, X86TrapTrigger.complete_userspace_io));
    private static readonly Effect<X86Ctx> db_intercept = new("X86GuestDebug.db_intercept", c => Fire(c, X86DebugTrigger.db_intercept));
    private static readonly Effect<X86Ctx> emulate_in_kernel = new("X86Emulation.emulate_in_kernel", c => Fire(c, X86TrapTrigger.emulate_in_kernel));
    private static readonly Effect<X86Ctx> x86_emulate_instruction = new("X86Emulation.x86_emulate_instruction", c => Fire(c, X86TrapTrigger.x86_emulate_instruction));
    private static readonly Effect<X86Ctx> fast_pio = new("X86Emulation.fast_pio", c => Fire(c, X86TrapTrigger.fast_pio));
    private static readonly Effect<X86Ctx> emulated_mmio = new("X86Emulation.emulated_mmio", c => Fire(c, X86TrapTrigger.emulated_mmio));
    private static readonly Effect<X86Ctx> pio_in_emulated = new("X86Emulation.pio_in_emulated", c => Fire(c, X86TrapTrigger.pio_in_emulated));

    public static readonly M Machine = new()
    {
        Name = "X86RunProtocol",
        Summary = "The KVM_RUN exit/re-entry protocol on x86 (VMX): ioctls, event injection at entry, VM exits and their handlers.",
        InitialState = RunState.InVmm,
        Get = c => c.S.Run,
        Set = (c, s) => c.With(v => v with { Run = s }),
        Rows =
        [
            // ---- the VMM's ioctls ----
            Row(Vmm, X86RunTrigger.KVM_SET_GUEST_DEBUG, Guard<X86Ctx>.Always, RunState.InVmm, "api.rst KVM_SET_GUEST_DEBUG", set_guest_debug),
            Row(Vmm, X86RunTrigger.KVM_GET_REGS, Guard<X86Ctx>.Always, RunState.InVmm, "api.rst KVM_GET_REGS: RFLAGS through kvm_get_rflags", E(get_regs)),
            Row(Vmm, X86RunTrigger.KVM_SET_REGS, Guard<X86Ctx>.Always, RunState.InVmm, "api.rst KVM_SET_REGS: kvm_rip_write, kvm_set_rflags", E(set_regs)),
            Row(Vmm, X86RunTrigger.io_data, Guard<X86Ctx>.Always, RunState.InVmm, "api.rst KVM_EXIT_IO: userspace fills the data area", E(write_data)),
            Row(Vmm, X86RunTrigger.mmio_data, Guard<X86Ctx>.Always, RunState.InVmm, "api.rst KVM_EXIT_MMIO: userspace fills mmio.data", E(write_data)),

            // ---- KVM_RUN: kvm_arch_vcpu_ioctl_run() ----
            Row(Vmm, X86RunTrigger.KVM_RUN, G(UnknownSyncRegsBits), RunState.InVmm, "x86.c: kvm_valid_regs or kvm_dirty_regs & ~kvm_sync_valid_fields() → -EINVAL before anything else (store_regs still runs at out:)", E(exit_einval), E(return_to_user)),
            Row(Vmm, X86RunTrigger.KVM_RUN, G(SyncRegsRejected), RunState.InVmm, "x86.c sync_regs: __set_sregs or kvm_vcpu_ioctl_x86_set_vcpu_events rejects its copy → -EINVAL, that dirty bit stays set", E(sync_regs), E(return_to_user)),
            Row(Vmm, X86RunTrigger.KVM_RUN, G(CompletionReturns), RunState.InVmm, "x86.c: sync_regs, then complete_userspace_io; a step on completion exits (kvm_vcpu_do_singlestep)", E(sync_regs), complete_userspace_io, E(return_to_user)),
            Row(Vmm, X86RunTrigger.KVM_RUN, G(ImmediateExitRequested), RunState.InVmm, "x86.c: sync_regs, complete_userspace_io, then immediate_exit → -EINTR", E(sync_regs), complete_userspace_io, E(exit_eintr), E(return_to_user)),
            Row(Vmm, X86RunTrigger.KVM_RUN, Guard<X86Ctx>.Always, RunState.EnteringGuest, "x86.c kvm_arch_vcpu_ioctl_run: sync_regs (kvm_dirty_regs), complete_userspace_io, vcpu_run", E(sync_regs), complete_userspace_io),

            // ---- vcpu_run / vcpu_enter_guest ----
            Row(In(RunState.EnteringGuest), X86RunTrigger.enter, G(SignalPending), RunState.InVmm, "x86.c vcpu_run: signal_pending → KVM_EXIT_INTR", E(exit_signal), E(return_to_user)),
            Row(In(RunState.EnteringGuest), X86RunTrigger.enter, G(HaltedWithoutWakeup), RunState.EnteringGuest, "x86.c vcpu_block: the halted vCPU waits for an interrupt"),
            Row(In(RunState.EnteringGuest), X86RunTrigger.enter, Guard<X86Ctx>.Always, RunState.InGuest, "x86.c vcpu_enter_guest: kvm_check_and_inject_events, VM entry", E(enter_guest)),

            // ---- the CPU in VMX non-root operation, in priority order ----
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.MtfExitPending), RunState.HandlingExit, "SDM 25.5.2: MTF VM exit (priority above trap-class #DB)", E(X86Cpu.exit_mtf)),
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.DebugTrapPending), RunState.HandlingExit, "SDM 18.3.1: trap-class #DB (single-step, data breakpoint), above external interrupts in priority; #DB in the exception bitmap", E(X86Cpu.exit_debug_trap)),
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.HostIrqPending), RunState.HandlingExit, "external-interrupt exiting", E(X86Cpu.exit_host_irq)),
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.IrqWindowOpen), RunState.HandlingExit, "interrupt-window exiting: IF=1 and no STI/MOV SS blocking", E(X86Cpu.exit_irq_window)),
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.InstructionBreakpointMatches), RunState.HandlingExit, "SDM 18.3.1.1: instruction breakpoint, fault-class, suppressed by RF", E(X86Cpu.exit_instruction_breakpoint)),
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.UnknownRip), RunState.InGuest, "the guest left its program", E(left_program)),
            Row(Guest, X86RunTrigger.execute, G(X86Cpu.Intercepted), RunState.HandlingExit, "instruction exiting: CPUID, HLT, WRMSR, MOV DR, I/O, EPT misconfiguration, #UD (forced emulation), #BP and #DB in the exception bitmap", E(X86Cpu.exit_intercept)),
            Row(Guest, X86RunTrigger.execute, Guard<X86Ctx>.Always, RunState.InGuest, "native execution", E(X86Cpu.execute)),

            // ---- vmx_handle_exit ----
            Row(Exit, X86RunTrigger.handle_exit, G(IsResumeOnly), RunState.EnteringGuest, "handle_external_interrupt / handle_interrupt_window: re-enter"),
            Row(Exit, X86RunTrigger.handle_exit, G(IsDbForHost), RunState.InVmm, "handle_exception_nmi: #DB with SINGLESTEP or USE_HW_BP", db_intercept, E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, G(IsDb), RunState.EnteringGuest, "handle_exception_nmi: the guest's #DB is re-queued", db_intercept),
            Row(Exit, X86RunTrigger.handle_exit, G(IsMtf), RunState.InVmm, "MTF proposal: handle_monitor_trap → KVM_EXIT_DEBUG (exception DB, dr6 BS)", E(exit_mtf_step), E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, G(IsBreakpoint), RunState.InVmm, "handle_exception_nmi: #BP with USE_SW_BP → KVM_EXIT_DEBUG, pc = the INT3", E(exit_bp), E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, G(IsStringIoExiting), RunState.InVmm, "handle_io: string → kvm_emulate_instruction → pio_in_emulated → KVM_EXIT_IO for a batch", pio_in_emulated, E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, G(IsStringIo), RunState.EnteringGuest, "handle_io: string with RCX = 0 → the emulator completes it: resume", pio_in_emulated),
            Row(Exit, X86RunTrigger.handle_exit, G(IsPortIo), RunState.InVmm, "handle_io → kvm_fast_pio → KVM_EXIT_IO", fast_pio, E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, G(IsMmio), RunState.InVmm, "handle_ept_misconfig → x86_emulate_instruction → KVM_EXIT_MMIO", emulated_mmio, E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, G(InKernelAndExits), RunState.InVmm, "the emulated instruction completed and the step (or DR7.GD) exits to userspace", E(complete_in_kernel), E(return_to_user)),
            Row(Exit, X86RunTrigger.handle_exit, Guard<X86Ctx>.Always, RunState.EnteringGuest, "the emulated instruction completed in the kernel: resume", E(complete_in_kernel)),

            // ---- the environment ----
            Row(Any, X86RunTrigger.guest_irq, Guard<X86Ctx>.Always, null, "an interrupt becomes pending for the guest (LAPIC IRR)", E(set_guest_irq)),
            Row(Guest, X86RunTrigger.host_irq, Guard<X86Ctx>.Always, null, "a physical interrupt arrives while the guest runs", E(set_host_irq)),
            Row(Any, X86RunTrigger.signal, Guard<X86Ctx>.Always, null, "a signal for the vCPU thread", E(set_signal)),
            Row(Any, X86RunTrigger.kvm_run_s_regs, Guard<X86Ctx>.Always, null, "a VMM thread stores to kvm_run (kvm_valid_regs, kvm_dirty_regs, s.regs): memory, read by the next KVM_RUN's sync_regs", E(write_kvm_run_s_regs)),
        ],
        Ignore =
        [
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.KVM_SET_GUEST_DEBUG, "vCPU ioctls wait for KVM_RUN to return (the vcpu mutex)"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.KVM_GET_REGS, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.KVM_SET_REGS, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.KVM_RUN, "vCPU ioctls wait for KVM_RUN to return"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.io_data, "userspace writes kvm_run only between runs in this model"),
            new(In(RunState.EnteringGuest, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.mmio_data, "userspace writes kvm_run only between runs in this model"),
            new(In(RunState.InVmm, RunState.EnteringGuest, RunState.HandlingExit), X86RunTrigger.host_irq, "the host takes its own interrupt; the vCPU sees nothing unless it is in the guest"),
            new(In(RunState.InVmm, RunState.InGuest, RunState.HandlingExit), X86RunTrigger.enter, "automatic step of EnteringGuest only"),
            new(In(RunState.InVmm, RunState.EnteringGuest, RunState.HandlingExit), X86RunTrigger.execute, "automatic step of InGuest only"),
            new(In(RunState.InVmm, RunState.EnteringGuest, RunState.InGuest), X86RunTrigger.handle_exit, "automatic step of HandlingExit only"),
        ],
    };

    // ---- guards ----
    public static bool UnknownSyncRegsBits(X86Ctx c) =>
        ((c.S.kvm_valid_regs | c.S.kvm_dirty_regs) & ~KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS) != 0;
    public static bool SyncRegsRejected(X86Ctx c) => sync_regs(c).S.Return is { Errno: Errno.EINVAL };
    public static bool CompletionReturns(X86Ctx c) => c.S.Trap != X86TrapState.Idle && Fire(sync_regs(c), X86TrapTrigger.complete_userspace_io).S.Return is not null;
    public static bool ImmediateExitRequested(X86Ctx c) => c.V.ImmediateExit && c.Input is Run { ImmediateExit: true };
    public static bool SignalPending(X86Ctx c) => c.S.SignalPending;
    public static bool HaltedWithoutWakeup(X86Ctx c) => c.S.Halted && !(c.S.IrqPending && Rflags.If(c.S.Rflags)) && c.S.QueuedException is null;
    private static bool Is(X86Ctx c, X86ExitKind k) => c.S.Cause?.Kind == k;
    public static bool IsResumeOnly(X86Ctx c) => Is(c, X86ExitKind.HostIrq) || Is(c, X86ExitKind.IrqWindow);
    public static bool IsDb(X86Ctx c) => Is(c, X86ExitKind.DebugException) || Is(c, X86ExitKind.Icebp);
    public static bool IsDbForHost(X86Ctx c) => IsDb(c) && c.HostTakesDb;
    public static bool IsMtf(X86Ctx c) => Is(c, X86ExitKind.Mtf);
    public static bool IsBreakpoint(X86Ctx c) => Is(c, X86ExitKind.Breakpoint);
    public static bool IsPortIo(X86Ctx c) => Is(c, X86ExitKind.PortIo);
    public static bool IsStringIo(X86Ctx c) => IsPortIo(c) && c.S.Cause!.Value.Insn!.Kind == X86InstructionKind.RepInsb;
    public static bool IsStringIoExiting(X86Ctx c) => IsStringIo(c) && !X86Emulation.RepCountZero(c);
    public static bool IsMmio(X86Ctx c) => Is(c, X86ExitKind.Emulate) && c.S.Cause!.Value.Insn!.Kind == X86InstructionKind.MmioLoad && !c.S.Cause.Value.Insn.Forced;
    public static bool InKernelAndExits(X86Ctx c) => complete_in_kernel(c).S.Return is not null;

    // ---- effects: VMM inputs ----
    public static X86Ctx get_regs(X86Ctx c) => c.Emit(new GetRegs(c.S.Rip, c.GetRflags(), c.S.Rbx, c.S.Rcx, c.S.Rdi));

    public static X86Ctx set_regs(X86Ctx c)
    {
        var r = (SetRegs)c.Input!;
        return __set_regs(c.Emit(r), r.Rip, r.Rflags, r.Rbx, r.Rcx, r.Rdi);
    }

    /// <summary>x86.c __set_regs(): RIP, RFLAGS through kvm_set_rflags, the GPRs (those the model
    /// has; null keeps the value). It also sets emulate_regs_need_sync_from_vcpu, so an emulation
    /// resumed on re-entry reads the new registers: the model's emulator always reads the current
    /// ones.</summary>
    public static X86Ctx __set_regs(X86Ctx c, ulong rip, ulong rflags, ulong rbx, ulong? rcx = null, ulong? rdi = null) =>
        c.With(s => s with { Rip = rip, Rbx = rbx, Rcx = rcx ?? s.Rcx, Rdi = rdi ?? s.Rdi }).SetRflags(rflags);

    /// <summary>A store to kvm_run's sync-regs part: it lands wherever the vCPU is.</summary>
    public static X86Ctx write_kvm_run_s_regs(X86Ctx c)
    {
        var w = (SetSyncRegs)c.Input!;
        return c.With(s => s with { kvm_valid_regs = w.ValidRegs, kvm_dirty_regs = w.DirtyRegs, s_regs = w.Regs, SyncRegsInUse = true });
    }

    /// <summary>x86.c sync_regs(), after the unknown-bit check: for each dirty part in order (REGS,
    /// SREGS, EVENTS) copy it in and clear its dirty bit; a part KVM rejects makes KVM_RUN fail with
    /// -EINVAL and keeps its bit (and the later ones). Since 0d033770d43a KVM checks and uses one
    /// copy of each part, so a concurrent store lands either before the copy (used) or after it
    /// (left for the next KVM_RUN): the model's atomic step.</summary>
    public static X86Ctx sync_regs(X86Ctx c)
    {
        var d = c.S.kvm_dirty_regs;
        var r = c.S.s_regs;
        if (d == KvmSyncRegs.None) return c;
        if (d.HasFlag(KvmSyncRegs.KVM_SYNC_X86_REGS))
        {
            d &= ~KvmSyncRegs.KVM_SYNC_X86_REGS;
            var left = d;
            c = __set_regs(c, r.rip, r.rflags, r.rbx).With(s => s with { kvm_dirty_regs = left });
        }
        if (d.HasFlag(KvmSyncRegs.KVM_SYNC_X86_SREGS))
        {
            // __set_sregs → kvm_is_valid_sregs(): in long mode (EFER.LME, CR0.PG) CR4.PAE must be set.
            // SIMPLIFICATION: apic_base is taken as given (kvm_apic_set_base's checks are not modelled).
            if (!r.CR4_PAE) return c.With(s => s with { Return = new PendingReturn(null, null, Errno.EINVAL) }).Kvm("sync_regs: __set_sregs: CR4.PAE=0 in long mode → -EINVAL");
            d &= ~KvmSyncRegs.KVM_SYNC_X86_SREGS;
            var left = d;
            c = c.With(s => s with { apic_base = r.apic_base, CR4_PAE = r.CR4_PAE, kvm_dirty_regs = left });
        }
        if (d.HasFlag(KvmSyncRegs.KVM_SYNC_X86_EVENTS))
        {
            var (ok, queued) = kvm_vcpu_ioctl_x86_set_vcpu_events(r.exception);
            if (!ok) return c.With(s => s with { Return = new PendingReturn(null, null, Errno.EINVAL) }).Kvm($"sync_regs: kvm_vcpu_ioctl_x86_set_vcpu_events: vector {r.exception.nr} → -EINVAL");
            d &= ~KvmSyncRegs.KVM_SYNC_X86_EVENTS;
            var left = d;
            c = c.With(s => s with { QueuedException = queued, kvm_dirty_regs = left });
            if (r.exception.pending) c = c.Kvm("kvm_vcpu_ioctl_x86_set_vcpu_events: no KVM_VCPUEVENT_VALID_PAYLOAD, exception.pending dropped");
        }
        return c;
    }

    /// <summary>x86.c kvm_vcpu_ioctl_x86_set_vcpu_events(), the exception part, with flags = 0 (no
    /// KVM_VCPUEVENT_VALID_PAYLOAD): exception.pending is cleared first; then an injected exception
    /// with a vector above 31 or NMI_VECTOR (2) is -EINVAL; otherwise vcpu->arch.exception takes the
    /// injected one (or none), replacing whatever was queued.</summary>
    public static (bool Ok, (byte Vector, ulong Payload)? Queued) kvm_vcpu_ioctl_x86_set_vcpu_events(kvm_vcpu_events_exception e)
    {
        const byte NMI_VECTOR = 2;
        bool injected = e.injected;
        if (injected && (e.nr > 31 || e.nr == NMI_VECTOR)) return (false, null);
        return (true, injected ? (e.nr, 0UL) : null);
    }

    /// <summary>x86.c store_regs(), at kvm_arch_vcpu_ioctl_run()'s <c>out:</c>: each known bit of
    /// kvm_valid_regs copies that part out (__get_regs with kvm_get_rflags, __get_sregs,
    /// kvm_vcpu_ioctl_x86_get_vcpu_events). The model shows the area after every return once the
    /// VMM uses it (<see cref="StoreRegs"/>).</summary>
    public static X86Ctx store_regs(X86Ctx c)
    {
        if (!c.S.SyncRegsInUse) return c;
        var v = c.S.kvm_valid_regs & KvmSyncRegs.KVM_SYNC_X86_VALID_FIELDS;
        var r = c.S.s_regs;
        if (v.HasFlag(KvmSyncRegs.KVM_SYNC_X86_REGS)) r = r with { rip = c.S.Rip, rflags = c.GetRflags(), rbx = c.S.Rbx };
        if (v.HasFlag(KvmSyncRegs.KVM_SYNC_X86_SREGS)) r = r with { apic_base = c.S.apic_base, CR4_PAE = c.S.CR4_PAE };
        // Without KVM_CAP_EXCEPTION_PAYLOAD, KVM_GET_VCPU_EVENTS reports a queued exception as injected. [I]
        if (v.HasFlag(KvmSyncRegs.KVM_SYNC_X86_EVENTS))
            r = r with { exception = c.S.QueuedException is { } q ? new kvm_vcpu_events_exception(q.Vector, true, false) : kvm_vcpu_events_exception.None };
        var stored = r;
        return c.With(s => s with { s_regs = stored }).Emit(new StoreRegs(v, c.S.kvm_dirty_regs, stored));
    }

    public static X86Ctx write_data(X86Ctx c) => c.Input switch
    {
        CompleteIo io => c.Emit(io).With(s => s with { io_data = io.Data }),
        CompleteMmio m => c.Emit(m).With(s => s with { io_data = m.Data }),
        _ => c,
    };

    // ---- effects: the run loop ----
    public static X86Ctx exit_eintr(X86Ctx c) => c.With(s => s with { Return = new PendingReturn(null, null, Errno.EINTR) });
    public static X86Ctx exit_einval(X86Ctx c) => c.With(s => s with { Return = new PendingReturn(null, null, Errno.EINVAL) });
    public static X86Ctx exit_signal(X86Ctx c) => c.With(s => s with { SignalPending = false, Return = new PendingReturn(KvmExitReason.KVM_EXIT_INTR, null, null) });

    public static X86Ctx return_to_user(X86Ctx c)
    {
        var r = c.S.Return ?? new PendingReturn(KvmExitReason.KVM_EXIT_UNKNOWN, null, null);
        TraceEvent ev = r.Errno is { } e ? new RunFailed(e, c.S.Rip) : new Spec.Trace.Exit(r.Reason!.Value, c.S.Rip, r.Payload);
        return store_regs(c.With(s => s with { Return = null, Cause = null }).Emit(ev));
    }

    /// <summary>vcpu_enter_guest(): the flag reload of 705c5323 (TF at any RIP), then
    /// kvm_check_and_inject_events(): a queued exception, else an allowed interrupt unless held
    /// back; then VM entry.</summary>
    public static X86Ctx enter_guest(X86Ctx c)
    {
        if (c.V.kvm_set_rflags == TfInjection.Always && c.Stepping)
            c = c.With(s => s with { Rflags = s.Rflags | Rflags.TF });
        if (c.S.Halted && c.S.IrqPending && Rflags.If(c.S.Rflags)) c = c.With(s => s with { Halted = false }).Kvm("kvm_vcpu_block: woken by the pending interrupt");
        c = c.Emit(new Entered(c.S.Rip));
        if (c.S.QueuedException is { } x)
        {
            c = c.With(s => s with { QueuedException = null }).Kvm($"kvm_check_and_inject_events: inject exception {x.Vector}");
            return X86Cpu.Deliver(c, x.Vector, c.S.Rip);
        }
        if (X86Cpu.InterruptAllowed(c))
        {
            if (X86Cpu.IrqHeldBack(c)) return c.Kvm("kvm_check_and_inject_events: interrupt held back (host debugging)");
            c = c.With(s => s with { IrqPending = false }).Kvm("kvm_check_and_inject_events: inject the pending interrupt");
            return X86Cpu.Deliver(c, X86Program.IrqVector, c.S.Rip);
        }
        return c;
    }

    public static X86Ctx left_program(X86Ctx c) => c.Unhandled($"RIP 0x{c.S.Rip:X} is outside the guest program");

    // ---- effects: exit handlers ----
    public static X86Ctx exit_mtf_step(X86Ctx c) =>
        X86GuestDebugMachine.ExitDebug(c, new X86DebugPayload(X86Program.DbVector, c.S.Rip, Dr6.BS | Dr6.ActiveLow, c.HwDr7));

    /// <summary>#BP with USE_SW_BP: exception and pc are written; dr6 and dr7 keep their last values.</summary>
    public static X86Ctx exit_bp(X86Ctx c) =>
        X86GuestDebugMachine.ExitDebug(c, c.S.RunDebug with { Exception = X86Program.BpVector, Pc = c.S.Rip });

    /// <summary>An intercepted instruction KVM completes: in the kernel (CPUID, WRMSR, HLT, MOV DR) or
    /// in the emulator (forced emulation).</summary>
    public static X86Ctx complete_in_kernel(X86Ctx c) =>
        Is(c, X86ExitKind.Intercept) ? Fire(c, X86TrapTrigger.emulate_in_kernel) : Fire(c, X86TrapTrigger.x86_emulate_instruction);

    // ---- effects: the environment ----
    public static X86Ctx set_guest_irq(X86Ctx c) => c.With(s => s with { IrqPending = true });
    public static X86Ctx set_host_irq(X86Ctx c) => c.With(s => s with { HostIrqPending = true });
    public static X86Ctx set_signal(X86Ctx c) => c.With(s => s with { SignalPending = true });
}
