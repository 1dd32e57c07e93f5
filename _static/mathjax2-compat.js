/* The widget manager (ipywidgets' html-manager) typesets widget labels with MathJax 2's API,
   MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the site runs MathJax 3, which has no Hub,
   so every saved widget with a label threw "Cannot read properties of undefined (reading 'Queue')".
   This translates that one call to MathJax 3 (typesetPromise), and keeps it across MathJax's start-up,
   which replaces the global MathJax object. Loaded on every page from _static (before MathJax runs). */
(function () {
  "use strict";
  var pending = [];
  function typeset(element) {
    var mj = window.MathJax;
    if (mj && typeof mj.typesetPromise === "function") {
      mj.typesetPromise(element ? [element] : undefined).catch(function () { /* a label that is not math */ });
    } else {
      pending.push(element);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") { typeset(job[2]); }
      }
    }
  };
  var config = window.MathJax = window.MathJax || {};
  config.Hub = hub;
  var startup = config.startup = config.startup || {};
  var userReady = startup.ready;
  startup.ready = function () {
    if (userReady) { userReady(); } else { window.MathJax.startup.defaultReady(); }
    window.MathJax.Hub = hub;
    window.MathJax.startup.promise.then(function () {
      var queued = pending; pending = [];
      queued.forEach(typeset);
    });
  };
})();
