"""An admin builds an "Event registration" app from nothing, only through the browser, in
English and in Chinese (issue 11, "How we will know"):

1. the app (name, labels, icon, colour) in the app designer;
2. two entities linked to each other in the entity designer (Event: title, date, capacity, a
   select with coloured options, a sub-table of sessions; Registration: attendee, email, a link
   to Event, a formula), a field REALLY dragged from the palette;
3. the Registration form laid out in two sections, one a tab, a field REALLY dragged there;
4. a list view and a kanban view grouped by the select, in the view designer;
5. a role "volunteer" with an own-records read / write scope on Registration in the role
   editor, and a volunteer user holding it, made in the organisation designer;
6. published, the volunteer signs in (a second browser context), registers someone, sees the
   registration in the list and not the one the admin made for someone else;
7. changing "capacity" from text to number, which one event's value would not survive, is shown
   in the publish preview with that record and refused.

With ``JIMU_DOC_SCREENSHOTS=1`` (English run only) it saves the screenshots of
docs/builder.md into docs/images/. No CSP violation, console or unexpected HTTP error."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from designer_harness import DesignerBrowser, open_browser, pick_field
from platform_testing import ADMIN_PASSWORD
from playwright.sync_api import Page, expect

from jimu.platform import metadata_store as store
from jimu.platform.state import Platform

pytestmark = pytest.mark.browser
IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"
APP = "events"
VOLUNTEER_PASSWORD = "volunteer-chosen-secret-9"
TEXTS = {
    "en": {"live": "is live", "number": "Number", "text": "Single-line text"},
    "zh": {"live": "已上线", "number": "数字", "text": "单行文本"},
}


def shoot(page: Page, lang: str, name: str) -> None:
    """Save a screenshot for docs/builder.md, only when asked to (CI leaves them alone)."""
    if os.environ.get("JIMU_DOC_SCREENSHOTS") == "1" and lang == "en":
        IMAGES.mkdir(parents=True, exist_ok=True)
        # Dialogs fade in: wait until nothing moves.
        page.wait_for_function(
            "() => document.getAnimations().every((a) => a.playState !== 'running'"
            " || a.effect.getTiming().iterations === Infinity)"
        )
        page.screenshot(path=str(IMAGES / f"{name}.png"), type="png")


def published(page: Page, lang: str) -> None:
    expect(page.get_by_test_id("bar-message")).to_contain_text(TEXTS[lang]["live"])


def publish_entity(page: Page, lang: str) -> None:
    """The entity designer's Publish: the preview first, then publish."""
    page.click("#publish")
    expect(page.get_by_test_id("publish-preview")).to_be_visible()
    page.click("#preview-publish")
    published(page, lang)


def add_field(page: Page, type_name: str, name: str, en: str, zh: str) -> None:
    """Add a field with the palette's "+" button and name it in the property panel."""
    page.click(f".add-field[data-type={type_name}]")
    name_field(page, name, en, zh)


def name_field(page: Page, name: str, en: str, zh: str) -> None:
    page.fill("#field-name", name)
    page.locator("#field-name").dispatch_event("change")
    page.fill("#field-label-en", en)
    page.locator("#field-label-en").dispatch_event("change")
    page.fill("#field-label-zh", zh)
    page.locator("#field-label-zh").dispatch_event("change")


def label_entity(page: Page, en: str, zh: str) -> None:
    page.fill("#entity-label-en", en)
    page.locator("#entity-label-en").dispatch_event("change")
    page.fill("#entity-label-zh", zh)
    page.locator("#entity-label-zh").dispatch_event("change")


def set_color(page: Page, selector: str, color: str) -> None:
    page.locator(selector).evaluate(
        f"(el) => {{ el.value = '{color}'; el.dispatchEvent(new Event('change')) }}"
    )


def create_the_app(designer: DesignerBrowser, lang: str) -> None:
    page = designer.open("/design/apps", lang)
    page.fill("#new-name", APP)
    page.fill("#new-en", "Event registration")
    page.fill("#new-zh", "活动报名")
    page.click("#create-app")
    page.wait_for_url(f"{designer.base}/design/apps/{APP}")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)
    page.fill("#icon", "calendar")
    page.locator("#icon").dispatch_event("change")
    set_color(page, "#color", "#2a7f62")
    shoot(page, lang, "app-designer")
    page.click("#publish")
    published(page, lang)


def design_event(designer: DesignerBrowser, lang: str) -> None:
    page = designer.page
    page.fill("#new-entity-name", "event")
    page.click("#new-entity")
    page.wait_for_url(f"{designer.base}/design/apps/{APP}/entities/event")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)
    label_entity(page, "Event", "活动")
    canvas = page.locator(".field-canvas")
    # A real drag from the palette: the title.
    designer.drag(page.locator(".palette-item[data-type=text]"), canvas)
    expect(canvas.locator(".field-row")).to_have_count(1)
    name_field(page, "title", "Title", "标题")
    page.check("#field-required")
    page.check("#field-is-title")
    add_field(page, "date", "starts_on", "Date", "日期")
    # Capacity starts as text (step 7 changes it to a number).
    add_field(page, "text", "capacity", "Capacity", "名额")
    add_field(page, "select", "status", "Status", "状态")
    for i, (value, en, zh, color) in enumerate(
        (("open", "Open", "报名中", "#2e9e44"), ("full", "Full", "已满", "#d03050"))
    ):
        page.click("#add-option")
        row = page.locator(".option-row").nth(i)
        for cls, text in (("option-value", value), ("option-en", en), ("option-zh", zh)):
            row.locator(f".{cls}").fill(text)
            row.locator(f".{cls}").dispatch_event("change")
        set_color(page, f".option-row:nth-child({i + 2}) .option-color", color)
    shoot(page, lang, "entity-designer")
    publish_entity(page, lang)


def open_new_entity(designer: DesignerBrowser, lang: str, name: str) -> None:
    """The app designer's "New entity": on to the designer of a new entity ``name``."""
    page = designer.open(f"/design/apps/{APP}", lang)
    page.fill("#new-entity-name", name)
    page.click("#new-entity")
    page.wait_for_url(f"{designer.base}/design/apps/{APP}/entities/{name}")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)


def open_new_view(designer: DesignerBrowser, lang: str, entity: str, name: str) -> None:
    """The app designer's "New view": on to the view designer of a new view of ``entity``."""
    page = designer.open(f"/design/apps/{APP}", lang)
    page.select_option("#new-view-entity", entity)
    page.fill("#new-view-name", name)
    page.click("#new-view")
    page.wait_for_url(f"{designer.base}/design/apps/{APP}/views/{entity}/{name}")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)


def design_session_and_registration(designer: DesignerBrowser, lang: str) -> None:
    page = designer.page
    # The sessions of an event: their own entity, linked to the event.
    open_new_entity(designer, lang, "session")
    label_entity(page, "Session", "场次")
    add_field(page, "text", "topic", "Topic", "主题")
    page.check("#field-is-title")
    add_field(page, "link", "event", "Event", "活动")
    page.select_option("#param-target", "event")
    publish_entity(page, lang)

    open_new_entity(designer, lang, "registration")
    label_entity(page, "Registration", "报名")
    add_field(page, "text", "attendee", "Attendee", "参加人")
    page.check("#field-required")
    page.check("#field-is-title")
    add_field(page, "email", "email", "Email", "邮箱")
    add_field(page, "link", "event", "Event", "活动")
    page.select_option("#param-target", "event")
    add_field(page, "formula", "badge", "Badge", "胸牌")
    formula = page.locator("#param-formula")
    formula.fill('CONCAT(attendee, " @ ", event)')
    formula.dispatch_event("input")
    formula.dispatch_event("change")
    # No "returns": the formula gives a text, and a text is what it stores and shows.
    expect(page.get_by_test_id("formula-status").locator(".formula-ok")).to_be_visible()
    publish_entity(page, lang)

    # Back to the event: its sub-table of sessions, linked back through session.event.
    designer.open(f"/design/apps/{APP}", lang)
    page.locator(".design-entity[data-entity=event]").click()
    page.wait_for_url(f"{designer.base}/design/apps/{APP}/entities/event")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)
    add_field(page, "subtable", "sessions", "Sessions", "场次")
    page.select_option("#param-target", "session")
    page.select_option("#param-link", "event")  # the links of session back to event
    publish_entity(page, lang)


def layout_registration_form(designer: DesignerBrowser, lang: str) -> None:
    page = designer.page
    page.goto(f"{designer.base}/design/apps/{APP}/entities/registration?lang={lang}")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)
    page.locator(".forms-area .form-layout-row[data-layout=default] .open-layout").click()
    page.wait_for_url(f"{designer.base}/design/apps/{APP}/entities/registration/forms/default")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)
    page.set_viewport_size({"width": 1600, "height": 1200})
    sections = page.locator(".layout-section")
    panel = page.locator(".form-preview-panel")
    expect(panel).to_have_attribute("data-refreshed", "1")
    page.click("#add-section")
    expect(sections).to_have_count(2)
    # The live preview reloads a moment after each change: a drag waits for it.
    expect(panel).to_have_attribute("data-refreshed", "2")
    expect(page.frame_locator("#form-preview").locator("input[name=email]")).to_be_visible()
    second = sections.nth(1)
    # A real drag: the email leaves the first section for the new one.
    first = sections.first
    badge = first.locator(".placed-field[data-name=badge]")
    second.locator(".section-fields").scroll_into_view_if_needed()
    designer.drag(badge.locator(".drag-handle"), second.locator(".section-fields"))
    expect(second.locator(".placed-field[data-name=badge]")).to_have_count(1)
    expect(first.locator(".placed-field[data-name=badge]")).to_have_count(0)
    # The keyboard way for the email: "Move to..." the same section.
    first.locator(".placed-field[data-name=email] .field-move-to").select_option("1")
    expect(second.locator(".placed-field")).to_have_count(2)
    # ... and the new section is a tab.
    second.locator(".section-tab-en").fill("Contact")
    second.locator(".section-tab-en").dispatch_event("change")
    second.locator(".section-tab-zh").fill("联系方式")
    second.locator(".section-tab-zh").dispatch_event("change")
    expect(second.locator(".section-tab-badge")).to_be_visible()
    preview = page.frame_locator("#form-preview")
    tab = preview.locator("[role=tab]", has_text="Contact" if lang == "en" else "联系方式")
    expect(tab).to_have_attribute("aria-selected", "true")  # the only tab: open
    expect(preview.locator("[role=tabpanel]:not([hidden]) input[name=email]")).to_be_visible()
    shoot(page, lang, "form-designer")
    page.click("#publish")
    published(page, lang)


def design_views(designer: DesignerBrowser, lang: str) -> None:
    page = designer.page
    # A list view of the registrations: three columns, the event REALLY dragged to the front.
    open_new_view(designer, lang, "registration", "desk")
    page.locator("#view-label-en").fill("Front desk")
    page.locator("#view-label-zh").fill("前台")
    adder = page.locator(".view-add-column")
    for name in ("attendee", "event", "badge"):
        pick_field(page, adder, name)
        page.click("#add-column")
    rows = page.locator(".view-columns > .view-column")
    expect(rows).to_have_count(3)
    designer.drag(rows.nth(1).locator(".drag-handle"), rows.first)
    expect(rows.first).to_have_attribute("data-field", "event")
    pick_field(page, page.locator("#view-sort"), "attendee")
    shoot(page, lang, "view-designer")
    page.click("#publish")
    published(page, lang)
    # A kanban of the events, grouped by their status.
    open_new_view(designer, lang, "event", "board")
    page.locator("#view-label-en").fill("Board")
    page.locator("#view-label-zh").fill("看板")
    page.locator("#view-type label").nth(1).click()
    pick_field(page, page.locator("#view-group-by"), "status")
    pick_field(page, page.locator(".view-add-column"), "capacity")
    page.click("#add-column")
    page.click("#publish")
    published(page, lang)


def design_volunteer_role(designer: DesignerBrowser, lang: str) -> None:
    page = designer.page
    page.goto(f"{designer.base}/apps/{APP}?lang={lang}")
    page.click("#roles-link")
    page.fill("#new-role input[name=role]", "volunteer")
    page.click("#new-role button[type=submit]")
    page.wait_for_url(f"{designer.base}/design/apps/{APP}/roles/volunteer")
    expect(page.locator("html[data-designer-ready]")).to_have_count(1)
    page.locator("#role-label-en").fill("Volunteer")
    page.locator("#role-label-zh").fill("志愿者")
    page.locator("tr[data-entity=event] .grant-read").click()
    page.locator("tr[data-entity=session] .grant-read").click()
    for action in ("create", "read", "update"):
        page.locator(f"tr[data-entity=registration] .grant-{action}").click()
    page.locator("tr[data-entity=registration] .edit-rules").click()
    rules = page.locator(".entity-rules[data-entity=registration]")
    rules.locator(".scope-editor[data-scope=read] .scope-kind-own").click()
    shoot(page, lang, "role-editor")
    page.click("#publish")
    published(page, lang)


def create_volunteer(designer: DesignerBrowser, lang: str) -> str:
    """Vera, with a temporary password, given the volunteer role; her temporary password."""
    page = designer.open("/admin/organisation", lang)
    page.click("#tab-people")
    page.fill("#new-username", "vera")
    page.fill("#new-display-name", "Vera")
    page.check("#access-temporary")
    page.click("#create-user")
    secret = page.locator("#temporary-password")
    expect(secret).to_have_value(re.compile(r"^[A-Za-z0-9]{14,}$"))
    temporary = secret.input_value()
    page.click("#tab-roles")
    page.select_option("#role-app", APP)
    card = page.locator(".role-card[data-role=volunteer]")
    picker = card.locator("#holder-user-volunteer")
    vera = picker.locator("option", has_text="Vera").get_attribute("value")
    assert vera
    picker.select_option(vera)
    card.locator(".give-role").click()
    expect(card.locator(".role-holder")).to_contain_text(["Vera"])
    return temporary


def new_record(page: Page, base: str, entity: str, lang: str, values: dict[str, str]) -> None:
    """Fill the record form of ``entity`` (text inputs, selects and link pickers) and save."""
    page.goto(f"{base}/apps/{APP}/{entity}/new?lang={lang}")
    form = page.locator(".record-form")
    for name, value in values.items():
        field = form.locator(f"[name='{name}']").first
        tag = field.evaluate("(el) => el.tagName + ':' + el.type")
        if tag == "SELECT:select-one":
            field.select_option(value)
        elif tag == "INPUT:hidden":  # a link picker: search, then choose
            picker = form.locator(f".picker:has(input[name='{name}'])")
            picker.locator("input[type=search]").fill(value)
            picker.locator(".picker-results li", has_text=value).first.click()
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/apps/{APP}/{entity}/\d+"))


def add_menu_and_publish(designer: DesignerBrowser, lang: str) -> None:
    page = designer.open(f"/design/apps/{APP}", lang)
    views = page.locator(".view-links .design-view")
    expect(views).to_have_count(2)
    expect(page.locator(".design-view[data-view='event.board']")).to_have_text(
        "Board" if lang == "en" else "看板"
    )
    for entity in ("event", "registration"):
        page.select_option("#add-entity-name", entity)
        page.click("#add-entity")
    page.click("#publish")
    published(page, lang)


def main_test_body(designer: DesignerBrowser, lang: str) -> str:
    create_the_app(designer, lang)
    design_event(designer, lang)
    design_session_and_registration(designer, lang)
    layout_registration_form(designer, lang)
    design_views(designer, lang)
    design_volunteer_role(designer, lang)
    temporary = create_volunteer(designer, lang)
    add_menu_and_publish(designer, lang)
    page, base = designer.page, designer.base
    new_record(
        page, base, "event", lang, {"title": "Spring fair", "status": "open", "capacity": "40"}
    )
    new_record(
        page,
        base,
        "event",
        lang,
        {"title": "Winter gala", "status": "full", "capacity": "about 60"},
    )
    new_record(
        page,
        base,
        "registration",
        lang,
        {"attendee": "Zoe", "email": "zoe@example.org", "event": "Spring fair"},
    )
    expect(page.locator("[data-field=event]")).to_contain_text("Spring fair")
    expect(page.locator("[data-field=badge]")).to_contain_text("Zoe @ 1")
    return temporary


def volunteer_uses_the_app(designer: DesignerBrowser, lang: str, temporary: str) -> None:
    """Vera signs in in another browser context, chooses her password, registers Ming, and
    sees Ming's registration, not Zoe's (the admin's)."""
    base = designer.base
    browser = designer.page.context.browser
    assert browser is not None
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: designer.problems.append(f"page error: {error}"))
        page.goto(f"{base}/login?lang={lang}")
        page.fill("#username", "vera")
        page.fill("#password", temporary)
        page.click("button[type=submit]")
        expect(page).not_to_have_url(re.compile("/login"))
        # A temporary password: she chooses her own first.
        page.goto(f"{base}/account/security?lang={lang}")
        page.fill("#current_password", temporary)
        page.fill("#new_password", VOLUNTEER_PASSWORD)
        page.fill("#repeat_password", VOLUNTEER_PASSWORD)
        page.click("#password-form button[type=submit]")
        expect(page.locator(".notice-success")).to_be_visible()
        page.goto(f"{base}/apps/{APP}?lang={lang}")
        sidebar = page.locator(".sidebar li a")
        expect(sidebar).to_have_text(
            ["Event", "Registration"] if lang == "en" else ["活动", "报名"]
        )
        new_record(
            page,
            base,
            "registration",
            lang,
            {"attendee": "Ming", "email": "ming@example.org", "event": "Spring fair"},
        )
        expect(page.locator("[data-field=badge]")).to_contain_text("Ming @ 1")
        page.goto(f"{base}/apps/{APP}/registration?view=desk&lang={lang}")
        rows = page.locator("#records tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Ming")
        expect(page.locator("#records")).not_to_contain_text("Zoe")
    finally:
        context.close()


def a_failing_conversion_is_refused(designer: DesignerBrowser, lang: str) -> None:
    """Capacity text -> number: "about 60" would not convert; the preview names that event
    and Publish stays disabled."""
    page = designer.open(f"/design/apps/{APP}/entities/event", lang)
    page.locator(".field-row[data-name=capacity] .field-label").click()
    page.locator("#field-type").select_option(label=TEXTS[lang]["number"])
    page.click("#publish")
    preview = page.get_by_test_id("publish-preview")
    conversion = preview.locator(".preview-conversion[data-field=capacity]")
    expect(conversion).to_have_class("preview-conversion failing")
    rows = conversion.locator(".failed-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(1)).to_have_text("Winter gala")
    expect(rows.first.locator(".row-value")).to_have_text("about 60")
    expect(preview.locator(".preview-refused")).to_be_visible()
    expect(page.locator("#preview-publish")).to_be_disabled()
    shoot(page, lang, "publish-preview")
    page.click("#preview-cancel")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_admin_builds_an_event_app_from_nothing_and_a_volunteer_uses_it(
    live: str, platform: Platform, lang: str
) -> None:
    with open_browser(live, "admin", ADMIN_PASSWORD) as admin:
        temporary = main_test_body(admin, lang)
        page = admin.page
        # The kanban groups the events by status.
        page.goto(f"{live}/apps/{APP}/event/kanban/board?lang={lang}")
        spring = page.locator(".kanban-column[data-value=open] .kanban-card")
        expect(spring).to_have_count(1)
        expect(spring).to_contain_text("Spring fair")
        expect(spring).to_contain_text("40")
        full = page.locator(".kanban-column[data-value=full] .kanban-card")
        expect(full).to_contain_text("Winter gala")
        volunteer_uses_the_app(admin, lang, temporary)
        a_failing_conversion_is_refused(admin, lang)

    with platform.engine.connect() as conn:
        app = store.published(conn, APP, "app", APP)
        event = store.published(conn, APP, "entity", "event")
        registration = store.published(conn, APP, "entity", "registration")
        form = store.published(conn, APP, "form", "registration.default")
        role = store.published(conn, APP, "role", "volunteer")
        board = store.published(conn, APP, "view", "event.board")
    assert app is not None and app.body["label"] == {"en": "Event registration", "zh": "活动报名"}
    assert (app.body["icon"], app.body["color"]) == ("calendar", "#2a7f62")
    assert event is not None and registration is not None
    fields = {f["name"]: f for f in event.body["fields"]}
    assert event.body["title_field"] == "title"
    assert fields["capacity"]["type"] == "text"  # the refused conversion changed nothing
    assert [o["color"] for o in fields["status"]["options"]] == ["#2e9e44", "#d03050"]
    assert fields["sessions"]["target"] == "session" and fields["sessions"]["link"] == "event"
    links = {f["name"]: f for f in registration.body["fields"]}
    assert links["event"]["target"] == "event" and links["badge"]["type"] == "formula"
    assert form is not None and form.body["sections"][1]["tab"]["en"] == "Contact"
    assert role is not None
    assert role.body["entities"]["registration"]["scope"] == "own"
    assert board is not None and board.body["group_by"] == "status"
