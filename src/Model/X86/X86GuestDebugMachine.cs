using Kvmspec.Model.Machines;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.X86.X86DebugState, Kvmspec.Model.X86.X86DebugTrigger, Kvmspec.Model.X86.X86Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.X86.X86DebugState, Kvmspec.Model.X86.X86DebugTrigger, Kvmspec.Model.X86.X86Ctx>;

namespace Kvmspec.Model.X86;

/// <summary>X86GuestDebug: KVM_SET_GUEST_DEBUG on x86, TF injection at singlestep_rip and its
/// hiding, and where a step or #DB goes: to userspace (KVM_EXIT_DEBUG) or into the guest.</summary>
/// <remarks>Sources: x86.c kvm_arch_vcpu_ioctl_set_guest_debug() (order: inject, kvm_get_rflags,
/// guest_debug, singlestep_rip, eff_db/guest_debug_dr7, kvm_set_rflags, exception bitmap),
/// kvm_get_rflags()/__kvm_set_rflags(), kvm_vcpu_do_singlestep(); vmx.c handle_exception_nmi()
/// (#DB with SINGLESTEP or USE_HW_BP exits, otherwise the #DB is re-queued; ICEBP is skipped first);
/// 94fe45da (singlestep_rip); api.rst "KVM_SET_GUEST_DEBUG".</remarks>
public static class X86GuestDebugMachine
{
    private static readonly System.Collections.Immutable.ImmutableArray<X86DebugState> Any = [];
    private static Effect<X86Ctx> E(Func<X86Ctx, X86Ctx> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Effect<X86Ctx>.Of(f, n);
    private static Guard<X86Ctx> G(Func<X86Ctx, bool> f, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(f))] string n = "") => Guard<X86Ctx>.Of(f, n);
    private static R Row(X86DebugTrigger t, Guard<X86Ctx> g, X86DebugState? to, string source, params Effect<X86Ctx>[] fx) => new(Any, t, g, [.. fx], to, source);

    public static readonly M Machine = new()
    {
        Name = "X86GuestDebug",
        Summary = "x86 host-directed debug: KVM_SET_GUEST_DEBUG, TF at singlestep_rip, step and #DB routing.",
        InitialState = X86DebugState.Off,
        Get = c => c.S.Debug,
        Set = (c, s) => c.With(v => v with { Debug = s }),
        Rows =
        [
            Row(X86DebugTrigger.KVM_SET_GUEST_DEBUG, G(UnknownControlBits), null, "x86.c: control & ~KVM_GUESTDBG_VALID_MASK → -EINVAL (v5.13+)", E(refuse_einval)),
            Row(X86DebugTrigger.KVM_SET_GUEST_DEBUG, G(InjectWhileExceptionPending), null, "x86.c: INJECT_DB/BP with an exception pending → -EBUSY", E(refuse_ebusy)),
            Row(X86DebugTrigger.KVM_SET_GUEST_DEBUG, G(RequestsStep), X86DebugState.Stepping, "x86.c kvm_arch_vcpu_ioctl_set_guest_debug: singlestep_rip := linear RIP", E(set_guest_debug)),
            Row(X86DebugTrigger.KVM_SET_GUEST_DEBUG, G(RequestsDebug), X86DebugState.Breakpoints, "x86.c kvm_arch_vcpu_ioctl_set_guest_debug", E(set_guest_debug)),
            Row(X86DebugTrigger.KVM_SET_GUEST_DEBUG, Guard<X86Ctx>.Always, X86DebugState.Off, "x86.c: without ENABLE, guest_debug := 0", E(set_guest_debug)),
            Row(X86DebugTrigger.do_singlestep, G(HostSingleStepping), null, "x86.c kvm_vcpu_do_singlestep: KVM_EXIT_DEBUG, dr6 = DR6_BS | DR6_ACTIVE_LOW, pc = linear RIP", E(exit_step)),
            Row(X86DebugTrigger.do_singlestep, Guard<X86Ctx>.Always, null, "x86.c kvm_vcpu_do_singlestep: kvm_queue_exception_p(DB_VECTOR, DR6_BS)", E(queue_guest_step)),
            Row(X86DebugTrigger.db_intercept, G(HostTakesDb), null, "vmx.c handle_exception_nmi: SINGLESTEP or USE_HW_BP → KVM_EXIT_DEBUG (dr6 = qualification | DR6_ACTIVE_LOW, dr7 = GUEST_DR7)", E(exit_db)),
            Row(X86DebugTrigger.db_intercept, Guard<X86Ctx>.Always, null, "vmx.c handle_exception_nmi: the guest's #DB; ICEBP skipped; kvm_queue_exception_p(DB_VECTOR, dr6)", E(requeue_db)),
        ],
    };

    private const X86GuestDebug Valid = X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_SINGLESTEP | X86GuestDebug.KVM_GUESTDBG_USE_SW_BP
        | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP | X86GuestDebug.KVM_GUESTDBG_INJECT_DB | X86GuestDebug.KVM_GUESTDBG_INJECT_BP | X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ;

    private static X86SetGuestDebug Req(X86Ctx c) => (X86SetGuestDebug)c.Input!;
    public static bool UnknownControlBits(X86Ctx c) =>
        c.V.ChecksControl && (Req(c).Control & ~(c.V.kvm_check_and_inject_events == IrqHoldBack.BlockIrqFlag ? Valid : Valid & ~X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ)) != 0;
    public static bool InjectWhileExceptionPending(X86Ctx c) =>
        (Req(c).Control & (X86GuestDebug.KVM_GUESTDBG_INJECT_DB | X86GuestDebug.KVM_GUESTDBG_INJECT_BP)) != 0 && c.S.QueuedException is not null;
    public static bool RequestsStep(X86Ctx c) => Req(c).SingleStep;
    public static bool HostSingleStepping(X86Ctx c) => c.Stepping;
    public static bool HostTakesDb(X86Ctx c) => c.HostTakesDb;
    public static bool RequestsDebug(X86Ctx c) => Req(c).Enabled;

    public static X86Ctx refuse_einval(X86Ctx c) => c.Emit(Req(c) with { Error = Errno.EINVAL });
    public static X86Ctx refuse_ebusy(X86Ctx c) => c.Emit(Req(c) with { Error = Errno.EBUSY });

    /// <summary>kvm_arch_vcpu_ioctl_set_guest_debug(), in the kernel's order.</summary>
    public static X86Ctx set_guest_debug(X86Ctx c)
    {
        var g = Req(c);
        c = c.Emit(g);
        if (g.Control.HasFlag(X86GuestDebug.KVM_GUESTDBG_INJECT_DB)) c = c.With(s => s with { QueuedException = (X86Program.DbVector, 0) });
        else if (g.Control.HasFlag(X86GuestDebug.KVM_GUESTDBG_INJECT_BP)) c = c.With(s => s with { QueuedException = (X86Program.BpVector, 0) });
        ulong rflags = c.GetRflags();
        var control = g.Enabled ? g.Control : X86GuestDebug.None;
        c = c.With(s => s with
        {
            guest_debug = control,
            singlestep_rip = g.SingleStep ? s.Rip : s.singlestep_rip,
            HostDr = g.Control.HasFlag(X86GuestDebug.KVM_GUESTDBG_USE_HW_BP) ? g : null,
        });
        return c.SetRflags(rflags);
    }

    /// <summary>The KVM_EXIT_DEBUG of kvm_vcpu_do_singlestep(): dr7 is not written (kvm_run keeps the last value).</summary>
    public static X86Ctx exit_step(X86Ctx c) =>
        ExitDebug(c, c.S.RunDebug with { Exception = X86Program.DbVector, Pc = c.V.StepExitPcIsSinglestepRip ? c.S.singlestep_rip : c.S.Rip, Dr6 = Dr6.BS | Dr6.ActiveLow });

    public static X86Ctx queue_guest_step(X86Ctx c) =>
        c.With(s => s with { QueuedException = (X86Program.DbVector, Dr6.BS) }).Kvm("kvm_vcpu_do_singlestep: #DB (BS) queued for the guest's own TF");

    public static X86Ctx exit_db(X86Ctx c)
    {
        var cause = c.S.Cause!.Value;
        return ExitDebug(c, new X86DebugPayload(X86Program.DbVector, cause.Rip, cause.Dr6 | Dr6.ActiveLow, c.HwDr7));
    }

    public static X86Ctx requeue_db(X86Ctx c)
    {
        var cause = c.S.Cause!.Value;
        if (cause.Kind == X86ExitKind.Icebp)
        {
            var next = cause.Rip + (ulong)cause.Insn!.Length;
            c = c.Emit(new Retired(cause.Rip, next, RetiredBy.Kvm, cause.Insn.Text)).With(s => s with { Rip = next, Shadow = Shadow.None })
                 .Kvm("handle_exception_nmi: ICEBP skipped, #DB re-queued to the guest");
        }
        return c.With(s => s with { QueuedException = (X86Program.DbVector, cause.Dr6) });
    }

    public static X86Ctx ExitDebug(X86Ctx c, X86DebugPayload p) =>
        c.With(s => s with { RunDebug = p, Return = new PendingReturn(KvmExitReason.KVM_EXIT_DEBUG, p, null) });
}
