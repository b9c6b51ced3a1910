/** @odoo-module **/
// The automation board of a pipeline: one column per stage, its triggers on
// top and its automation rules (robots) below, in execution order. The server
// builds the columns and the one-line summaries; this only shows them, opens
// the usual forms in a dialog and moves robots and triggers by drag and drop.
import {Component, onWillStart, useRef, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {useSortable} from "@web/core/utils/sortable_owl";

export class AutomationBoard extends Component {
    static template = "crm_workflow_automation.AutomationBoard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        const action = this.props.action || {};
        this.teamId =
            (action.params || {}).team_id || (action.context || {}).default_team_id;
        this.state = useState({team: "", columns: []});
        this.root = useRef("root");
        // robots and triggers alike: reordered in their column, or moved to another
        for (const [model, kind] of [
            ["crm.workflow.robot", "robot"],
            ["crm.workflow.trigger", "trigger"],
        ]) {
            useSortable({
                ref: this.root,
                elements: `.o_cwa_${kind}`,
                groups: `.o_cwa_${kind}s`,
                connectGroups: true,
                onDrop: (params) => this.onDrop(model, `${kind}s`, params),
            });
        }
        onWillStart(() => this.load());
    }

    async load() {
        const data = await this.orm.call("crm.workflow.robot", "get_board", [
            this.teamId || false,
        ]);
        Object.assign(this.state, data);
    }

    open(model, resId, stageId) {
        return this.actionService.doAction(
            {
                type: "ir.actions.act_window",
                res_model: model,
                res_id: resId || false,
                views: [[false, "form"]],
                target: "new",
                context: {
                    default_stage_id: stageId,
                    default_team_id: this.teamId || false,
                },
            },
            {onClose: () => this.load()}
        );
    }

    async remove(model, resId) {
        await this.orm.unlink(model, [resId]);
        await this.load();
    }

    async onDrop(model, key, {element, parent, previous}) {
        const recordId = parseInt(element.dataset.id);
        const stageId = parseInt(parent.dataset.stageId);
        const column = this.state.columns.find((c) => c.stage_id === stageId);
        const ids = column[key].map((r) => r.id).filter((id) => id !== recordId);
        const after = previous ? ids.indexOf(parseInt(previous.dataset.id)) + 1 : 0;
        ids.splice(after, 0, recordId);
        await this.orm.call(model, "board_move", [recordId, stageId, ids]);
        await this.load();
    }
}

registry.category("actions").add("crm_workflow_automation.board", AutomationBoard);
