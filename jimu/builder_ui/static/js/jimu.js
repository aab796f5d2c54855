// Jimu runtime pages: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function on(root, selector, event, handler) {
    root.addEventListener(event, function (e) {
      var target = e.target.closest(selector);
      if (target && root.contains(target)) handler(e, target);
    });
  }

  // ---- select: show the chosen option's colour ----
  function paintSelect(wrap) {
    var select = wrap.querySelector("select");
    var option = select.options[select.selectedIndex];
    var color = option && option.dataset.color;
    wrap.style.setProperty("--chip", color || "transparent");
  }
  // A select that submits its form when chosen (the list's view switcher).
  document.querySelectorAll("select[data-auto-submit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-select-colors]").forEach(function (wrap) {
    paintSelect(wrap);
    wrap.querySelector("select").addEventListener("change", function () { paintSelect(wrap); });
  });

  // ---- confirm before destructive posts ----
  on(document, "form[data-confirm]", "submit", function (e, form) {
    if (!window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  // A button of a form with several (the list's rule buttons) asks its own question.
  on(document, "button[data-confirm-click]", "click", function (e, button) {
    if (!window.confirm(button.dataset.confirmClick)) e.preventDefault();
  });

  // ---- selects that submit their form on change ----
  on(document, "form[data-autosubmit] select", "change", function (e, select) {
    select.form.submit();
  });

  // ---- record list filters: add/remove rows, offer only the field's operators ----
  function limitOps(row) {
    var fieldSelect = row.querySelector("select[name=ff]");
    var opSelect = row.querySelector("select[name=fo]");
    var chosen = fieldSelect.options[fieldSelect.selectedIndex];
    var ops = chosen && chosen.dataset.ops ? chosen.dataset.ops.split(",") : null;
    Array.prototype.forEach.call(opSelect.options, function (option) {
      option.hidden = !!ops && ops.indexOf(option.value) < 0;
    });
    if (ops && opSelect.selectedOptions[0] && opSelect.selectedOptions[0].hidden) {
      opSelect.value = ops[0];
    }
    var valueInput = row.querySelector("input[name=fv]");
    var op = opSelect.value;
    valueInput.disabled = op === "empty" || op === "not_empty";
  }
  document.querySelectorAll("[data-filter-row]").forEach(limitOps);
  on(document, "[data-filter-row] select", "change", function (e, select) {
    limitOps(select.closest("[data-filter-row]"));
  });
  on(document, "[data-add-filter]", "click", function (e, button) {
    var rows = button.closest("form").querySelector("[data-filter-rows]");
    var template = rows.querySelector("[data-filter-row]");
    var row = template.cloneNode(true);
    row.querySelectorAll("select, input").forEach(function (el) { el.value = ""; el.disabled = false; });
    row.querySelector("select[name=fo]").selectedIndex = 0;
    rows.appendChild(row);
    limitOps(row);
    row.querySelector("select").focus();
  });
  on(document, "[data-remove-filter]", "click", function (e, button) {
    var row = button.closest("[data-filter-row]");
    var rows = row.parentNode;
    if (rows.querySelectorAll("[data-filter-row]").length > 1) {
      row.remove();
    } else {
      row.querySelectorAll("select, input").forEach(function (el) { el.value = ""; });
    }
  });

  // ---- sub-tables: add and remove rows ----
  on(document, "[data-add-row]", "click", function (e, button) {
    var box = button.closest("[data-subtable]");
    var index = parseInt(box.dataset.nextIndex || "0", 10);
    box.dataset.nextIndex = String(index + 1);
    var html = box.querySelector("template").innerHTML.replace(/__index__/g, String(index));
    var body = box.querySelector("tbody");
    body.insertAdjacentHTML("beforeend", html);
    var row = body.lastElementChild;
    row.querySelectorAll("[data-link-picker]").forEach(setUpPicker);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
  on(document, "[data-remove-row]", "click", function (e, button) {
    button.closest("tr").remove();
  });

  // ---- link picker: search the target entity, keep the chosen id ----
  function setUpPicker(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var many = picker.hasAttribute("data-many");
    var search = picker.querySelector("input[type=search]");
    var hidden = picker.querySelector("input[data-value]");
    var list = document.createElement("ul");
    list.className = "picker-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    picker.appendChild(list);
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    var timer = null;
    var active = -1;
    var chosenTitle = search.value;

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      active = -1;
    }
    function choose(item) {
      if (many) {
        var chosen = picker.querySelector(".picker-chosen");
        var tag = document.createElement("span");
        tag.className = "tag";
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = picker.dataset.name;
        input.value = item.id;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-link";
        remove.setAttribute("data-remove", "");
        remove.textContent = "×";
        tag.appendChild(input);
        tag.appendChild(document.createTextNode(item.title + " "));
        tag.appendChild(remove);
        chosen.appendChild(tag);
        search.value = "";
      } else {
        hidden.value = item.id;
        search.value = item.title;
        chosenTitle = item.title;
      }
      close();
    }
    function show(items) {
      list.innerHTML = "";
      if (!items.length) {
        var empty = document.createElement("li");
        empty.className = "empty";
        empty.textContent = search.dataset.noMatches || "—";
        list.appendChild(empty);
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.index = String(i);
        li.textContent = item.title;
        if (item.subtitle) {
          var small = document.createElement("small");
          small.textContent = item.subtitle;
          li.appendChild(small);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      list._items = items;
    }
    function fetchItems() {
      var url = picker.dataset.searchUrl + "?q=" + encodeURIComponent(search.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(show)
        .catch(function () { close(); });
    }
    search.addEventListener("input", function () {
      if (!many && search.value.trim() === "") hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(fetchItems, 200);
    });
    search.addEventListener("focus", function () { if (!search.value) fetchItems(); });
    search.addEventListener("keydown", function (e) {
      var items = list._items || [];
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        list.querySelectorAll("li").forEach(function (li, i) {
          li.setAttribute("aria-selected", i === active ? "true" : "false");
        });
      } else if (e.key === "Enter") {
        e.preventDefault();
        choose(items[active >= 0 ? active : 0]);
      } else if (e.key === "Escape") {
        close();
      }
    });
    search.addEventListener("blur", function () {
      setTimeout(close, 150);
      if (!many && hidden.value && search.value !== chosenTitle) search.value = chosenTitle;
    });
    on(picker, "[data-remove]", "click", function (e, button) { button.closest(".tag").remove(); });
  }
  document.querySelectorAll("[data-link-picker]").forEach(function (picker) {
    if (!picker.closest("template")) setUpPicker(picker);
  });
})();

// ---- rich text: a Trix editor (vendored from npm) over the plain textarea ----
(function () {
  "use strict";
  // Trix defines its elements a moment after it loads; elements made now are upgraded then.
  if (!window.Trix) return;
  document.querySelectorAll("textarea[data-richtext-input]").forEach(function (area) {
    if (area.closest("template")) return;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.id = area.id;
    hidden.name = area.name;
    hidden.value = area.value;
    var editor = document.createElement("trix-editor");
    editor.setAttribute("input", area.id);
    editor.className = "trix-content richtext-editor";
    if (area.hasAttribute("aria-describedby")) {
      editor.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
    }
    area.replaceWith(hidden);
    hidden.insertAdjacentElement("afterend", editor);
  });
})();

// ---- the header's inbox link: show the unread count (docs/notifications.md) ----
(function () {
  "use strict";
  var link = document.getElementById("nav-inbox");
  var badge = document.getElementById("nav-inbox-count");
  if (!link || !badge || !window.fetch) return;
  fetch(link.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      if (!answer || typeof answer.unread !== "number") return;
      badge.textContent = answer.unread > 99 ? "99+" : String(answer.unread);
      badge.hidden = answer.unread === 0;
      link.dataset.unread = String(answer.unread);
    })
    .catch(function () { /* the link still works without the count */ });
})();

// ---- the header's tasks link: the number of open to-dos (docs/process.md) ----
(function () {
  "use strict";
  var link = document.getElementById("nav-tasks");
  var badge = document.getElementById("nav-tasks-count");
  if (!link || !badge || !window.fetch) return;
  fetch(link.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      if (!answer || typeof answer.todo !== "number") return;
      badge.textContent = answer.todo > 99 ? "99+" : String(answer.todo);
      badge.hidden = answer.todo === 0;
      link.dataset.todo = String(answer.todo);
    })
    .catch(function () { /* the link still works without the count */ });
})();

// ---- form layouts: the tabs of a record page, record form or public form ----
// Without this script every tab's sections are shown in turn under the tab's title. With it, the
// tab list is an ARIA tablist: click or Enter/Space opens a tab, arrow keys, Home and End move
// between tabs; the first tab opens, or the first one holding an error (docs/builder.md).
(function () {
  function select(tabs, button, focus) {
    tabs.querySelectorAll("[role=tab]").forEach(function (tab) {
      var chosen = tab === button;
      tab.setAttribute("aria-selected", chosen ? "true" : "false");
      tab.tabIndex = chosen ? 0 : -1;
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !chosen;
    });
    if (focus) button.focus();
  }
  document.querySelectorAll("[data-tabs]").forEach(function (tabs) {
    var list = tabs.querySelector("[role=tablist]");
    var buttons = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    if (!buttons.length) return;
    list.hidden = false;
    tabs.classList.add("tabs-ready");
    tabs.querySelectorAll("[data-tab-fallback]").forEach(function (title) { title.hidden = true; });
    var first = null;
    buttons.forEach(function (button) {
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (!first && panel && panel.querySelector(".field-error, [aria-invalid=true]")) {
        first = button;
      }
      button.addEventListener("click", function () { select(tabs, button, false); });
      button.addEventListener("keydown", function (e) {
        var i = buttons.indexOf(button);
        var next = null;
        if (e.key === "ArrowRight" || e.key === "ArrowDown") next = buttons[(i + 1) % buttons.length];
        else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = buttons[(i - 1 + buttons.length) % buttons.length];
        else if (e.key === "Home") next = buttons[0];
        else if (e.key === "End") next = buttons[buttons.length - 1];
        if (next) { e.preventDefault(); select(tabs, next, true); }
      });
    });
    select(tabs, first || buttons[0], false);
  });
})();
