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
/// (v6.1) or HOST_SS_ACTIVE_PENDING (v6.14) across exits. The same rows compute what the hardware
/// runs with for the guest's own debug (its MDSCR_EL1, breakpoints and watchpoints), for the guest's
/// OS Lock as each design emulates it, and (v6.14) debug ownership. SIMPLIFICATION: USE_HW carries
/// one host breakpoint and no host watchpoint.
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
    public static Ctx store_guest_debug(Ctx c)
    {
        var g = (Spec.Trace.SetGuestDebug)c.Input!;
        return c.With(s => s with { guest_debug = g.Control, external_bvr0 = g.Control.HasFlag(KvmGuestDebug.KVM_GUESTDBG_USE_HW) ? g.HwBreakpoint : null });
    }

    public static Ctx clear_guest_debug(Ctx c) =>
        c.With(s => s with { guest_debug = KvmGuestDebug.None, external_bvr0 = null, DBG_SS_ACTIVE_PENDING = false, HOST_SS_ACTIVE_PENDING = false });

    /// <summary>v6.14 kvm_vcpu_load_debug(): ownership and MDCR_EL2 at load; external_mdscr_el1
    /// for the hardware; with SINGLESTEP, record the guest's step bit and install the host's.</summary>
    /// <remarks>debug_owner: HOST_OWNED if guest_debug != 0 or the guest's OS Lock is set, else
    /// GUEST_OWNED if the guest's MDSCR_EL1 has KDE or MDE, else FREE. setup_external_mdscr(): the
    /// guest's MDSCR_EL1 without SS, MDE and KDE, plus SS for SINGLESTEP and MDE|KDE for USE_HW.
    /// kvm_arm_setup_mdcr_el2(): TDE if guest_debug != 0, TDA unless GUEST_OWNED.</remarks>
    public static Ctx kvm_vcpu_load_debug(Ctx c)
    {
        var s = c.S;
        bool host = s.guest_debug != KvmGuestDebug.None;
        bool useHw = s.guest_debug.HasFlag(KvmGuestDebug.KVM_GUESTDBG_USE_HW);
        bool locked = s.OSLSR_EL1.OSLK && c.V.trap_oslar_el1 == OsLockEmulation.HostOwned;
        var owner = host || locked ? DebugOwner.VCPU_DEBUG_HOST_OWNED
            : s.MDSCR_EL1.KDE || s.MDSCR_EL1.MDE ? DebugOwner.VCPU_DEBUG_GUEST_OWNED : DebugOwner.VCPU_DEBUG_FREE;
        var external = s.MDSCR_EL1 with { SS = c.Stepping, MDE = useHw, KDE = useHw };
        c = c.With(v => v with
        {
            debug_owner = owner,
            MDCR_EL2 = new MDCR_EL2(TDE: host, TDA: owner != DebugOwner.VCPU_DEBUG_GUEST_OWNED),
            HwMDSCR_EL1 = owner == DebugOwner.VCPU_DEBUG_HOST_OWNED ? external : v.MDSCR_EL1,
            HwOSLK = c.V.trap_oslar_el1 == OsLockEmulation.HardwareLock && v.OSLSR_EL1.OSLK,
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

    /// <summary>kvm_arm_setup_debug() before every entry (v4.2-v6.13, and the 2017 and 2021 proposals).</summary>
    /// <remarks>With guest_debug set or (v5.18+) the OS Lock set, the hardware's MDSCR_EL1.SS is the
    /// host's; USE_HW sets MDE, otherwise a set OS Lock clears it (7dabf02f43a1). TDE routes debug
    /// exceptions to EL2 while the host debugs (and, in the 2021 v2 posting, while the lock is set).
    /// kvm_arm_setup_mdcr_el2(): TDA for USE_HW, for a guest that has not dirtied its debug
    /// registers, or (v5.18+) while the OS Lock is set.</remarks>
    public static Ctx kvm_arm_setup_debug(Ctx c)
    {
        var s = c.S;
        bool host = s.guest_debug != KvmGuestDebug.None;
        bool useHw = s.guest_debug.HasFlag(KvmGuestDebug.KVM_GUESTDBG_USE_HW);
        bool locked = s.OSLSR_EL1.OSLK && c.V.trap_oslar_el1 is OsLockEmulation.ClearMdeSs or OsLockEmulation.TdeSkipBrk;
        bool tda = c.V.kvm_arm_setup_mdcr_el2 == DebugRegTraps.HostOwned || useHw || !s.DEBUG_DIRTY || locked;
        var hw = s.MDSCR_EL1;
        if (host || locked)
            hw = hw with { SS = c.Stepping, MDE = useHw || (hw.MDE && !locked) };
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
        bool tde = host || (locked && c.V.trap_oslar_el1 == OsLockEmulation.TdeSkipBrk);
        c = c.With(v => v with
        {
            MDCR_EL2 = new MDCR_EL2(TDE: tde, TDA: tda),
            HwMDSCR_EL1 = hw,
            HwOSLK = c.V.trap_oslar_el1 == OsLockEmulation.HardwareLock && v.OSLSR_EL1.OSLK,
            preserved_pstate_ss = host ? v.PSTATE.SS : v.preserved_pstate_ss,
            PSTATE = v.PSTATE with { SS = ss },
            DEBUG_INST_SKIP = host ? false : v.DEBUG_INST_SKIP,
        });
        if (c.Stepping) return c.Kvm($"kvm_arm_setup_debug: {why}, MDSCR_EL1.SS := 1, TDE=1, TDA={(tda ? 1 : 0)}");
        return locked ? c.Kvm($"kvm_arm_setup_debug: OS Lock set, hardware MDSCR_EL1 = {hw}, TDE={(tde ? 1 : 0)}") : c;
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
