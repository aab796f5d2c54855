// The kanban page: a view's records as cards, one column per option (see docs/views.md).
import { mountDesigner } from "../shared/boot";
import "./kanban.css";
import KanbanBoard from "./KanbanBoard.vue";

mountDesigner(KanbanBoard);
