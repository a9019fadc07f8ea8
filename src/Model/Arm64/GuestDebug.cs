using System.Collections.Immutable;
using Kvmspec.Model.Machines;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using M = Kvmspec.Model.Machines.StateMachine<Kvmspec.Model.Arm64.HostDebugState, Kvmspec.Model.Arm64.GuestDebugTrigger, Kvmspec.Model.Arm64.Ctx>;
using R = Kvmspec.Model.Machines.Row<Kvmspec.Model.Arm64.HostDebugState, Kvmspec.Model.Arm64.GuestDebugTrigger, Kvmspec.Model.Arm64.Ctx>;

namespace Kvmspec.Model.Arm64;

/// <summary>GuestDebug: host-directed debug (KVM_SET_GUEST_DEBUG) and how KVM arms the hardware's
/// software step for it, in each design.</summary>
/// <remarks>
/// Sources: arch/arm64/kvm/debug.c (kvm_arm_setup_debug / kvm_arm_clear_debug, v4.2-v6.13;
/// kvm_vcpu_load_debug / kvm_vcpu_put_debug / setup_external_mdscr, v6.14+), arch/arm64/kvm/guest.c
/// (kvm_arch_vcpu_ioctl_set_guest_debug), handle_exit.c (kvm_handle_guest_debug). The host's step
/// state lives in PSTATE.SS of the vcpu context while the guest runs, and in DBG_SS_ACTIVE_PENDING
/// (v6.1) or HOST_SS_ACTIVE_PENDING (v6.14) across exits. SIMPLIFICATION: USE_HW breakpoints and
/// watchpoints and guest-owned debug are not modelled yet; the guest's own MDSCR_EL1 stays 0.
/// </remarks>
public static class GuestDebug
{
    private static readonly ImmutableArray<HostDebugState> Any = [];
    private static readonly ImmutableArray<HostDebugState> SingleStep = [HostDebugState.SingleStep];
    private static readonly ImmutableArray<HostDebugState> NotStepping = [HostDebugState.Off, HostDebugState.Enabled];

    private static R Row(ImmutableArray<HostDebugState> from, GuestDebugTrigger t, Guard<Ctx> g, HostDebugState? to, string source, params Effect<Ctx>[] fx) =>
        new(from, t, g, [.. fx], to, source);

    public static readonly M Machine = new()
    {
        Name = "GuestDebug",
        Summary = "Host-directed debug (KVM_SET_GUEST_DEBUG) and the software-step arming of each KVM design.",
        InitialState = HostDebugState.Off,
        Get = c => c.S.Debug,
        Set = (c, s) => c.With(v => v with { Debug = s }),
        Rows =
        [
            Row(Any, GuestDebugTrigger.KVM_SET_GUEST_DEBUG, Guard<Ctx>.Of(RequestsSingleStep), HostDebugState.SingleStep, "guest.c kvm_arch_vcpu_ioctl_set_guest_debug", Effect<Ctx>.Of(store_guest_debug)),
            Row(Any, GuestDebugTrigger.KVM_SET_GUEST_DEBUG, Guard<Ctx>.Of(RequestsEnable), HostDebugState.Enabled, "guest.c kvm_arch_vcpu_ioctl_set_guest_debug", Effect<Ctx>.Of(store_guest_debug)),
            Row(Any, GuestDebugTrigger.KVM_SET_GUEST_DEBUG, Guard<Ctx>.Always, HostDebugState.Off, "guest.c: !ENABLE clears guest_debug and the host step flag", Effect<Ctx>.Of(clear_guest_debug)),

            Row(Any, GuestDebugTrigger.vcpu_load, Guard<Ctx>.Of(LoadPutDesign), null, "debug.c kvm_vcpu_load_debug (2ca3f03bf524)", Effect<Ctx>.Of(kvm_vcpu_load_debug)),
            Row(SingleStep, GuestDebugTrigger.vcpu_put, Guard<Ctx>.Of(LoadPutDesign), null, "debug.c kvm_vcpu_put_debug (2ca3f03bf524)", Effect<Ctx>.Of(kvm_vcpu_put_debug)),

            Row(Any, GuestDebugTrigger.setup_debug, Guard<Ctx>.Of(PerEntryDesign), null, "debug.c kvm_arm_setup_debug", Effect<Ctx>.Of(kvm_arm_setup_debug)),
            Row(SingleStep, GuestDebugTrigger.clear_debug, Guard<Ctx>.Of(ActivePendingDesign), null, "debug.c kvm_arm_clear_debug (370531d1e95b, 34fbdee086cf)", Effect<Ctx>.Of(kvm_arm_clear_debug)),

            Row(SingleStep, GuestDebugTrigger.handle_step, Guard<Ctx>.Of(ActivePendingDesign), null, "handle_exit.c kvm_handle_guest_debug (370531d1e95b)", Effect<Ctx>.Of(clear_DBG_SS_ACTIVE_PENDING)),
            Row(SingleStep, GuestDebugTrigger.handle_step, Guard<Ctx>.Of(LoadPutDesign), null, "handle_exit.c kvm_handle_guest_debug: SPSR.SS := 1", Effect<Ctx>.Of(rearm_host_step)),
        ],
        Ignore =
        [
            new(Any, GuestDebugTrigger.vcpu_load, "before v6.14 nothing debug-related happens at vcpu_load; kvm_arm_setup_debug() runs before each entry"),
            new(NotStepping, GuestDebugTrigger.vcpu_put, "kvm_vcpu_put_debug() swaps the step bit only while SINGLESTEP is set"),
            new(SingleStep, GuestDebugTrigger.vcpu_put, "before v6.14 the guest's step bit is restored by kvm_arm_clear_debug() after each exit"),
            new(Any, GuestDebugTrigger.setup_debug, "v6.14+ configures debug at vcpu_load, not before each entry"),
            new(NotStepping, GuestDebugTrigger.clear_debug, "nothing to restore: KVM did not touch the guest's step bit"),
            new(SingleStep, GuestDebugTrigger.clear_debug, "before v6.1 kvm_arm_clear_debug() restores MDSCR_EL1 only (the hardware copy is separate here); v6.14 restores at put"),
            new(NotStepping, GuestDebugTrigger.handle_step, "a step exit without SINGLESTEP cannot be routed to EL2 in this model"),
            new(SingleStep, GuestDebugTrigger.handle_step, "before v6.1 the next kvm_arm_setup_debug() re-arms SS unconditionally"),
        ],
    };

    // ---- guards ----
    public static bool RequestsSingleStep(Ctx c) => c.Input is Spec.Trace.SetGuestDebug g
        && g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_ENABLE) && g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP);
    public static bool RequestsEnable(Ctx c) => c.Input is Spec.Trace.SetGuestDebug g && g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_ENABLE);
    public static bool LoadPutDesign(Ctx c) => c.V.kvm_arm_setup_debug == SetupDebug.LoadPut;
    public static bool PerEntryDesign(Ctx c) => c.V.kvm_arm_setup_debug != SetupDebug.LoadPut;
    public static bool ActivePendingDesign(Ctx c) => c.V.kvm_arm_setup_debug == SetupDebug.ActivePendingFlag;

    // ---- effects ----
    public static Ctx store_guest_debug(Ctx c) => c.With(s => s with { guest_debug = ((Spec.Trace.SetGuestDebug)c.Input!).Control });

    public static Ctx clear_guest_debug(Ctx c) =>
        c.With(s => s with { guest_debug = KvmGuestDebug.None, DBG_SS_ACTIVE_PENDING = false, HOST_SS_ACTIVE_PENDING = false });

    /// <summary>v6.14 kvm_vcpu_load_debug(): ownership and MDCR_EL2 at load; external_mdscr_el1
    /// for the hardware; with SINGLESTEP, record the guest's step bit and install the host's.</summary>
    public static Ctx kvm_vcpu_load_debug(Ctx c)
    {
        var s = c.S;
        bool host = s.guest_debug != KvmGuestDebug.None;
        var external = s.MDSCR_EL1 with { SS = c.Stepping, MDE = false, KDE = false };
        c = c.With(v => v with
        {
            MDCR_EL2 = new MDCR_EL2(TDE: host, TDA: true),
            HwMDSCR_EL1 = host ? external : v.MDSCR_EL1,
        });
        if (!c.Stepping) return c;
        return c.With(v => v with
        {
            GUEST_SS_ACTIVE_PENDING = !v.PSTATE.SS,
            PSTATE = v.PSTATE with { SS = !v.HOST_SS_ACTIVE_PENDING },
        }).Kvm($"kvm_vcpu_load_debug: GUEST_SS_ACTIVE_PENDING={(s.PSTATE.SS ? 0 : 1)}, SPSR.SS := !HOST_SS_ACTIVE_PENDING = {(s.HOST_SS_ACTIVE_PENDING ? 0 : 1)}");
    }

    /// <summary>v6.14 kvm_vcpu_put_debug(): remember the host's step state, give back the guest's.</summary>
    public static Ctx kvm_vcpu_put_debug(Ctx c) =>
        c.With(v => v with
        {
            HOST_SS_ACTIVE_PENDING = !v.PSTATE.SS,
            PSTATE = v.PSTATE with { SS = !v.GUEST_SS_ACTIVE_PENDING },
        }).Kvm($"kvm_vcpu_put_debug: HOST_SS_ACTIVE_PENDING={(c.S.PSTATE.SS ? 0 : 1)}, guest PSTATE.SS restored");

    /// <summary>kvm_arm_setup_debug() before every entry (v4.2-v6.13, and the 2017 proposal).</summary>
    public static Ctx kvm_arm_setup_debug(Ctx c)
    {
        var s = c.S;
        bool host = s.guest_debug != KvmGuestDebug.None;
        // kvm_arm_setup_mdcr_el2(): TDA unless the guest dirtied its debug registers (b0e626b38087).
        bool tda = c.V.kvm_arm_setup_mdcr_el2 == DebugRegTraps.HostOwned ? true : !s.DEBUG_DIRTY;
        var hw = s.MDSCR_EL1 with { SS = c.Stepping || s.MDSCR_EL1.SS && !host };
        bool ss = s.PSTATE.SS;
        string why = "";
        if (c.Stepping)
        {
            (ss, why) = c.V.kvm_arm_setup_debug switch
            {
                SetupDebug.ForceSsEveryEntry => (true, "SPSR.SS := 1"),
                SetupDebug.InstSkipFlag => (!s.DEBUG_INST_SKIP, $"SPSR.SS := !DEBUG_INST_SKIP = {(s.DEBUG_INST_SKIP ? 0 : 1)}"),
                _ => (!s.DBG_SS_ACTIVE_PENDING, $"SPSR.SS := !DBG_SS_ACTIVE_PENDING = {(s.DBG_SS_ACTIVE_PENDING ? 0 : 1)}"),
            };
        }
        c = c.With(v => v with
        {
            MDCR_EL2 = new MDCR_EL2(TDE: host, TDA: tda),
            HwMDSCR_EL1 = hw,
            preserved_pstate_ss = host ? v.PSTATE.SS : v.preserved_pstate_ss,
            PSTATE = v.PSTATE with { SS = ss },
            DEBUG_INST_SKIP = host ? false : v.DEBUG_INST_SKIP,
        });
        return c.Stepping ? c.Kvm($"kvm_arm_setup_debug: {why}, MDSCR_EL1.SS := 1, TDE=1, TDA={(tda ? 1 : 0)}") : c;
    }

    /// <summary>v6.1 kvm_arm_clear_debug() after every exit: note an active-pending host step,
    /// then restore the guest's PSTATE.SS.</summary>
    public static Ctx kvm_arm_clear_debug(Ctx c) =>
        c.With(v => v with
        {
            DBG_SS_ACTIVE_PENDING = v.DBG_SS_ACTIVE_PENDING || !v.PSTATE.SS,
            PSTATE = v.PSTATE with { SS = v.preserved_pstate_ss },
        }).Kvm($"kvm_arm_clear_debug: DBG_SS_ACTIVE_PENDING={(c.S.DBG_SS_ACTIVE_PENDING || !c.S.PSTATE.SS ? 1 : 0)}, guest PSTATE.SS restored");

    public static Ctx clear_DBG_SS_ACTIVE_PENDING(Ctx c) => c.With(v => v with { DBG_SS_ACTIVE_PENDING = false });

    /// <summary>v6.14 kvm_handle_guest_debug(): SPSR.SS := 1, the host step is active-not-pending again.</summary>
    public static Ctx rearm_host_step(Ctx c) => c.With(v => v with { PSTATE = v.PSTATE with { SS = true } });
}
